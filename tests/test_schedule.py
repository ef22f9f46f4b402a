from smm_platform.celery import QUEUES, app
from smm_platform.schedule import BEAT_SCHEDULE


def test_every_periodic_task_exists_and_routes_to_a_known_queue():
    app.loader.import_default_modules()
    for name, entry in BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name
        route = app.amqp.router.route({}, entry["task"])
        assert route["queue"].name in QUEUES, name


def test_celery_runs_tasks_safely_by_default():
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.accept_content == ["json"]
    assert conf.task_soft_time_limit < conf.task_time_limit
