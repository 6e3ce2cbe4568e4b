"""Email goes through Django's mailers: here through a real SMTP server on loopback."""

import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from django.test import override_settings

from ops_skills.evidence import services
from tests.factories import make_skill, make_system


class Inbox(Message):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


def test_confirmation_request_arrives_over_smtp(
    smtp_server, member, new_hire, team, django_capture_on_commit_callbacks
):
    controller, inbox = smtp_server
    skill = make_skill(make_system(team, slug="batch-jobs"), name="Payment-batch failover")
    mailers = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": controller.hostname, "port": controller.port, "use_tls": False, "timeout": 5},
        }
    }
    with override_settings(MAILERS=mailers), django_capture_on_commit_callbacks(execute=True):
        session = services.pairing_session_log(
            author=member, mentor=member, learners=[new_hire], skills=[skill], duration_minutes=30
        )
    (message,) = inbox.messages
    assert message["To"] == "newhire@example.com"
    assert "Payment-batch failover" in message["Subject"].replace("\n", "")
    assert session.get_absolute_url() in message.get_payload(decode=True).decode()
