"""`manage.py check` names push settings that would make every push fail."""

import json

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.core.management import call_command

from agents.checks import push_settings_check


def ids() -> list[str]:
    return [message.id for message in push_settings_check()]


def pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def test_nothing_configured_is_fine(settings):
    settings.HELPDESK_APNS_TOPIC = settings.HELPDESK_FCM_PROJECT_ID = None
    settings.HELPDESK_FCM_CREDENTIALS_FILE = None
    assert ids() == []


def test_apns_needs_its_key_and_a_readable_p8(settings, tmp_path):
    settings.HELPDESK_FCM_PROJECT_ID = settings.HELPDESK_FCM_CREDENTIALS_FILE = None
    settings.HELPDESK_APNS_TOPIC = "com.example.helpdesk"
    settings.HELPDESK_APNS_KEY_PATH = None
    assert ids() == ["agents.W001"]

    settings.HELPDESK_APNS_KEY_ID, settings.HELPDESK_APNS_TEAM_ID = "ABC123DEFG", "DEF123GHIJ"
    settings.HELPDESK_APNS_KEY_PATH = str(tmp_path / "AuthKey_ABC123DEFG.p8")
    assert ids() == ["agents.W002"]  # not there
    (tmp_path / "AuthKey_ABC123DEFG.p8").write_bytes(pem(rsa.generate_private_key(65537, 2048)))
    assert ids() == ["agents.W002"]  # not an ES256 key
    (tmp_path / "AuthKey_ABC123DEFG.p8").write_bytes(pem(ec.generate_private_key(ec.SECP256R1())))
    assert ids() == []


def test_fcm_needs_a_service_account_file(settings, tmp_path):
    settings.HELPDESK_APNS_TOPIC = None
    settings.HELPDESK_FCM_PROJECT_ID, settings.HELPDESK_FCM_CREDENTIALS_FILE = "demo", None
    assert ids() == ["agents.W003"]

    path = tmp_path / "sa.json"
    settings.HELPDESK_FCM_CREDENTIALS_FILE = str(path)
    path.write_text('{"type": "authorized_user"}')
    assert ids() == ["agents.W004"]
    account = {"client_email": "push@demo.iam", "private_key": "-----", "token_uri": "https://t"}
    path.write_text(json.dumps(account))
    assert ids() == []


def test_manage_py_check_reports_it(settings, capsys):
    settings.HELPDESK_APNS_TOPIC = "com.example.helpdesk"
    settings.HELPDESK_APNS_KEY_PATH = None
    call_command("check")
    assert "agents.W001" in capsys.readouterr().err
