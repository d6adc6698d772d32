from tests.fixtures.sandbox import *  # noqa: F403
