pytest_plugins = ["tests.fakes.zoom_api"]
