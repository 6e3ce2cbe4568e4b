"""/health/ tells the load balancer whether the database, the cache and the task queue answer."""

from datetime import timedelta

import pytest
from django.db import DatabaseError
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ops_skills.web.health import TaskQueue

CHECKS = {"Database(alias='default')", "Cache(alias='default')", "TaskQueue(alias='default')"}
# Nothing listens on port 1: the cache is down.
CACHE_DOWN = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
}


@pytest.mark.parametrize("ask", [{"HTTP_ACCEPT": "application/json"}, {"QUERY_STRING": "format=json"}])
@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_healthy_is_200_for_anyone(client_for, member, who, ask):
    response = client_for(member if who == "member" else None).get("/health/", **ask)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "healthy", "checks": dict.fromkeys(CHECKS, "OK")}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_page_and_plain_text_for_people(client):
    assert client.get("/health/").status_code == 200
    text = client.get("/health/", {"format": "text"})
    assert text.status_code == 200
    assert "TaskQueue(alias='default'): OK" in text.text


@pytest.mark.django_db
@override_settings(CACHES=CACHE_DOWN)
def test_cache_down_is_503_naming_the_cache(client):
    response = client.get("/health/", HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["checks"]["Cache(alias='default')"].startswith("Unexpected Result: Connection Error")
    assert body["checks"]["Database(alias='default')"] == "OK"
    assert "127.0.0.1:1" not in response.text  # where the cache lives is not told
    assert client.get("/health/", {"format": "text"}).status_code == 503
    assert client.get("/health/").status_code == 503


@pytest.mark.django_db
def test_task_queue_not_answering_is_503(client, monkeypatch):
    def broken(self):
        raise DatabaseError('relation "django_tasks_database_dbtaskresult" does not exist, password=secret')

    monkeypatch.setattr(TaskQueue, "oldest_ready", broken)
    response = client.get("/health/", HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    assert response.json()["checks"]["TaskQueue(alias='default')"] == (
        "Unavailable: the task queue table does not answer"
    )
    assert "secret" not in response.text


@pytest.mark.django_db
def test_a_task_waiting_too_long_is_reported_but_does_not_take_the_server_out(client, monkeypatch):
    monkeypatch.setattr(TaskQueue, "oldest_ready", lambda self: timezone.now() - timedelta(hours=2))
    response = client.get("/health/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    message = response.json()["checks"]["TaskQueue(alias='default')"]
    assert message.startswith("Warning: the oldest task ready to run has waited 72")


def _task(**fields):
    return DBTaskResult.objects.create(
        task_path="ops_skills.reports.tasks.take_daily_snapshot", args_kwargs={}, backend_name="default", **fields
    )


@pytest.mark.django_db
def test_the_oldest_ready_task_is_found():
    from django_tasks_db.models import get_date_max

    now = timezone.now()
    check = TaskQueue(max_wait=timedelta(minutes=10))
    assert check.oldest_ready() is None
    check.run()  # an empty queue is healthy
    waiting = _task(run_after=get_date_max())
    DBTaskResult.objects.filter(pk=waiting.pk).update(enqueued_at=now - timedelta(minutes=5))
    later = _task(run_after=now + timedelta(hours=1))  # not ready yet
    DBTaskResult.objects.filter(pk=later.pk).update(enqueued_at=now - timedelta(days=1))
    assert abs(check.oldest_ready() - (now - timedelta(minutes=5))) < timedelta(seconds=1)
    check.run()
    due = _task(run_after=now - timedelta(minutes=30))  # ready since its run_after
    DBTaskResult.objects.filter(pk=due.pk).update(enqueued_at=now - timedelta(days=2))
    assert abs(check.oldest_ready() - (now - timedelta(minutes=30))) < timedelta(seconds=1)
    with pytest.raises(Exception, match="has waited 18"):
        check.run()


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True)
def test_health_is_not_redirected_to_https(client):
    assert client.get("/health/").status_code == 200
    assert client.get("/").status_code == 301


@pytest.mark.django_db
def test_health_does_not_write_a_session(client):
    response = client.get("/health/")
    assert "sessionid" not in response.cookies
