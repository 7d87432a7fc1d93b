"""Small fakes of the outside world, served or called for real in tests."""
