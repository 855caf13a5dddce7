"""Two Celery tasks of the tests alone, one that succeeds and one that fails, run eagerly."""

from weekly.celery import app as celery_app


@celery_app.task(name="tests.add_numbers")
def add_numbers(a: int, b: int) -> int:
    return a + b


@celery_app.task(name="tests.fail_loudly")
def fail_loudly() -> None:
    raise RuntimeError("the outside service said no")
