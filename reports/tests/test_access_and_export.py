import csv
import io
import re

import pytest

pytestmark = pytest.mark.django_db

REPORTS = ["overview", "agents", "routing", "customers", "recurring", "csat"]


@pytest.mark.parametrize("name", REPORTS)
def test_api_is_for_managers_only(name, api, agent, customer, manager):
    url = f"/api/v1/reports/{name}"
    anonymous = api(None).get(url)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"] == "unauthenticated"
    assert api(agent.user).get(url).status_code == 403
    forbidden = api(customer).get(url)
    assert forbidden.status_code == 403
    assert forbidden.json()["error"] == "forbidden"
    assert api(manager).get(url).status_code == 200


def test_csv_request_by_non_manager_gets_json_error(api, customer):
    response = api(customer).get("/api/v1/reports/overview", {"format": "csv"})
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"


@pytest.mark.parametrize(
    "params, field",
    [
        ({"days": "abc"}, "days"),
        ({"days": "0"}, "days"),
        ({"days": "5000"}, "days"),
        ({"start": "2026-13-01"}, "start"),
        ({"start": "2026-02-01", "end": "2026-01-01"}, "start"),
        ({"start": "2020-01-01", "end": "2026-01-01"}, "end"),
        ({"queue": "nope"}, "queue"),
        ({"channel": "fax"}, "channel"),
        ({"agent": "x"}, "agent"),
        ({"agent": "99999999999999999999999"}, "agent"),
        ({"queue": "99999999999999999999999"}, "queue"),
        ({"days": "99999999999999999999999"}, "days"),
        ({"start": "0001-01-01", "end": "0001-01-10"}, "start"),
        ({"end": "9999-12-31"}, "end"),
    ],
)
def test_bad_filters_are_400_with_the_field(params, field, api, manager):
    response = api(manager).get("/api/v1/reports/overview", params)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid"
    assert field in body["fields"]


def test_unknown_report_is_404(api, manager):
    response = api(manager).get("/api/v1/reports/nope")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def _csv(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode())))


def test_api_csv_export_of_a_table(world, api, manager):
    response = api(manager).get(
        "/api/v1/reports/overview", {"days": 30, "format": "csv", "table": "by_queue"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = {row["key"]: row for row in _csv(response.content)}
    assert rows["Billing"]["tickets"] == "2"
    assert rows["Billing"]["fr_compliance_pct"] == "50.0"
    assert rows["Tech"]["res_compliance_pct"] == ""  # null is an empty cell


def test_api_csv_unknown_table_is_400(world, api, manager):
    response = api(manager).get("/api/v1/reports/overview", {"format": "csv", "table": "x"})
    assert response.status_code == 400
    assert "table" in response.json()["fields"]


def test_page_csv_export(world, client, manager):
    client.force_login(manager)
    response = client.get("/reports/customers.csv", {"days": 30})
    assert response.status_code == 200
    rows = _csv(response.content)
    assert [row["customer_email"] for row in rows][:1] == ["bob@example.com"]
    assert rows[0]["health"] == "55"


@pytest.mark.parametrize("name", REPORTS)
def test_pages_render_tables_and_chart_data(name, world, client, manager):
    client.force_login(manager)
    response = client.get(f"/reports/{name}/", {"days": 30})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="report-data"' in html
    assert "vendor/chartjs/chart.umd.min.js" in html
    # every script and stylesheet is served by us: nothing loads from another host
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_overview_page_shows_figures(world, client, manager):
    client.force_login(manager)
    html = client.get("/reports/overview/", {"days": 30}).content.decode()
    assert "<td>Billing</td>" in html
    assert "50.0 %" in html


def test_pages_need_a_manager(client, agent, customer):
    assert client.get("/reports/overview/").status_code == 302  # to the login page
    client.force_login(agent.user)
    assert client.get("/reports/overview/").status_code == 403
    client.force_login(customer)
    assert client.get("/reports/agents/").status_code == 403
    assert client.get("/reports/agents.csv").status_code == 403


def test_page_with_bad_filters_explains(client, manager):
    client.force_login(manager)
    response = client.get("/reports/overview/", {"days": "many"})
    assert response.status_code == 400
    assert "A whole number of days." in response.content.decode()


def test_ticket_text_is_escaped_on_pages(world, client, manager):
    world.tickets["t1"].__class__.objects.filter(pk=world.tickets["t1"].pk).update(
        tags=["<script>x</script>"]
    )
    client.force_login(manager)
    html = client.get("/reports/recurring/", {"days": 30}).content.decode()
    assert "<script>x</script>" not in html


@pytest.mark.parametrize(
    "params",
    [
        {"queue": "\x00"},
        {"channel": "\x00"},
        {"agent": "\x00"},
        {"start": "\x00"},
        {"days": "-1"},
        {"days": ""},
        {"table": "\x00", "format": "csv"},
        {"format": "xml"},
    ],
)
def test_odd_input_never_500(params, api, manager, client):
    assert api(manager).get("/api/v1/reports/overview", params).status_code < 500
    client.force_login(manager)
    assert client.get("/reports/overview/", params).status_code < 500


HOSTILE_ADDRESS = "=cmd|' /C calc'!A0@example.com"


@pytest.mark.parametrize(
    "url, params",
    [
        ("/reports/customers.csv", {"days": 30}),
        ("/api/v1/reports/customers", {"days": 30, "format": "csv"}),
    ],
)
def test_exports_never_hand_a_spreadsheet_a_formula(world, api, client, manager, url, params):
    """Issue #17: user text in a CSV cell that starts with = + - @ (or tab, CR) runs as a
    formula in Excel/LibreOffice; every export makes it text with a leading quote."""
    from tickets.tests.factories import TicketFactory

    for address in (HOSTILE_ADDRESS, "+1@example.com", "-x@example.com", "@x@example.com"):
        TicketFactory(customer=None, customer_email=address)
    client.force_login(manager)
    response = (
        client.get(url, params) if url.startswith("/reports") else api(manager).get(url, params)
    )
    assert response.status_code == 200
    cells = [cell for row in _csv(response.content) for cell in row.values()]
    assert "'" + HOSTILE_ADDRESS in cells
    assert {"'+1@example.com", "'-x@example.com", "'@x@example.com"} <= set(cells)
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    assert "bob@example.com" in cells  # ordinary text stays as it is


def test_csv_cell_keeps_numbers_and_plain_text():
    from core.csvcells import csv_cell

    assert csv_cell(-5) == -5 and csv_cell(None) == "" and csv_cell("a=b") == "a=b"
    assert csv_cell("\tx") == "'\tx" and csv_cell("=1+1") == "'=1+1"
