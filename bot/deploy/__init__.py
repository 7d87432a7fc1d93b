"""Deploying, disabling and enabling batches from the chat.

A command makes a plan (:mod:`bot.deploy.planning`): every step with the
server it runs on. The plan is kept (:mod:`bot.plans`) and shown on a card
whose buttons carry signed tokens; a confirmed plan runs step by step
(:mod:`bot.deploy.runner`), the card edited as it goes, and a failed step
undoes what the run made.
"""
