"""The whole published dataset, for reuse: /data/ describes the latest data package and
lists the dated ones; /data/latest/<file> and /data/<YYYY-MM-DD>/<file> serve their files
(reports/datapackage.py builds them nightly). Public, like the data."""

import datetime
import json
import re

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control
from django.views.generic import TemplateView

from reports import datapackage

FILE_NAME = re.compile(
    r"^(datapackage\.json|[a-z_]+\.csv|compact-tracker(-\d{4}-\d{2}-\d{2})?\.zip)$"
)
CONTENT_TYPES = {
    ".json": "application/json",
    ".csv": "text/csv; charset=utf-8",
    ".zip": "application/zip",
}


def _descriptor(day):
    path = f"{datapackage.FOLDER}/{day.isoformat()}/datapackage.json"
    if not default_storage.exists(path):
        return None
    with default_storage.open(path) as handle:
        return json.loads(handle.read().decode())


class DataPackageView(TemplateView):
    template_name = "reports/data_package.html"

    def get_context_data(self, **kwargs):
        day = datapackage.latest_day()
        descriptor = _descriptor(day) if day else None
        resources = []
        if descriptor:
            for resource in descriptor["resources"]:
                resources.append(
                    {
                        "name": resource["name"],
                        "title": resource["title"],
                        "path": resource["path"],
                        "bytes": resource["bytes"],
                        "fields": len(resource["schema"]["fields"]),
                    }
                )
        return super().get_context_data(
            day=day,
            descriptor=descriptor,
            resources=resources,
            zip_name=f"{datapackage.NAME}.zip",
            archives=[(d, d.isoformat()) for d in datapackage.archived_days()[:60]],
            **kwargs,
        )


def data_file(request, day, name):
    """One file of a package: `day` is "latest" or a date."""
    if not FILE_NAME.match(name):
        raise Http404
    if day == "latest":
        found = datapackage.latest_day()
        if found is None:
            raise Http404
        if name.endswith(".zip"):
            name = f"{datapackage.NAME}-{found.isoformat()}.zip"
    elif name == f"{datapackage.NAME}.zip":
        raise Http404  # a dated package's archive carries its date
    else:
        try:
            found = datetime.date.fromisoformat(day)
        except ValueError:
            raise Http404 from None
    path = f"{datapackage.FOLDER}/{found.isoformat()}/{name}"
    if not default_storage.exists(path):
        raise Http404
    suffix = name[name.rindex(".") :]
    response = FileResponse(
        default_storage.open(path),
        content_type=CONTENT_TYPES[suffix],
        as_attachment=suffix == ".zip",
        filename=name,
    )
    # The latest changes nightly; a dated package never does.
    patch_cache_control(response, public=True, max_age=300 if day == "latest" else 86400)
    return response
