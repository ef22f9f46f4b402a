"""Settings of a real Celery worker delivering webhooks to a test's local HTTPS receiver.

The production settings, plus what only such a test may turn on: loopback destinations, the test's
own certificate authority (its PEM file in ``SMM_TEST_WEBHOOKS_CA_BUNDLE``) and a short backoff
(``SMM_TEST_WEBHOOKS_RETRY_BASE`` seconds). Certificate verification itself stays on.
"""

import os

from smm_platform.settings import *  # noqa: F403  # the production settings, then the test's changes

WEBHOOKS_ALLOW_LOOPBACK = True
WEBHOOKS_CA_BUNDLE = os.environ["SMM_TEST_WEBHOOKS_CA_BUNDLE"]
WEBHOOKS_RETRY_BASE_SECONDS = float(os.environ["SMM_TEST_WEBHOOKS_RETRY_BASE"])
