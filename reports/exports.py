"""CSV export of any report table (cells made safe for spreadsheets: `core.csvcells`)."""

import csv
import io

from django.http import HttpResponse

from core.csvcells import csv_cell


def table_names(report: dict) -> list[str]:
    return list(report["tables"])


def csv_response(*, report: dict, table: str) -> HttpResponse:
    rows = report["tables"][table]
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows({key: csv_cell(value) for key, value in row.items()} for row in rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    filters = report["filters"]
    filename = f"{report['report']}-{table}-{filters['start']}-{filters['end']}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
