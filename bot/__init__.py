"""batchops: a chat-ops bot for Zoom Team Chat that supervises batch jobs."""
