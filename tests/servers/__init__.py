"""Real servers the tests start on this machine: an arXiv stand-in replaying recorded responses
(``arxiv``), an SMTP server (``smtp``), Celery worker processes (``workers``) and the whole
production stack without Docker (``stack``)."""
