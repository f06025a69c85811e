"""Read the whole API through a client generated from its schema (openapi-python-client):
every list operation, page by page, then each list's detail operation for its first item,
once per caller. The generated models parse every answer, so a value the schema does not
allow (null where it promises a string, "" outside an enum) raises here, as it would for a
partner using such a client.

    python .ci/generated_client_calls.py PACKAGE_DIR BASE_URL [name=TOKEN ...]

"anonymous" is always a caller; each name=TOKEN adds one. Exits 1 on any failure."""

import importlib
import inspect
import json
import pkgutil
import sys
import traceback
import urllib.request
from pathlib import Path

PACKAGE = "ct_api_client"
MAX_PAGES = 50
# Reads that are not for every caller: {operationId: {caller: the status it must answer}}.
REFUSED = {
    "submissions_due_retrieve": {"anonymous": 401, "partner": 403},
    # A caller's own webhook endpoints: for the signed-in only.
    "webhooks_list": {"anonymous": 401},
    "webhook_deliveries_list": {"anonymous": 401},
}


def get_operations(schema):
    """{operationId: generated module} for every GET operation of the schema; fails if the
    generator skipped one (it warns and leaves it out)."""
    wanted = {
        operation["operationId"]
        for operations in schema["paths"].values()
        for method, operation in operations.items()
        if method == "get"
    }
    modules = {}
    api = importlib.import_module(f"{PACKAGE}.api")
    for tag in pkgutil.iter_modules(api.__path__):
        package = importlib.import_module(f"{PACKAGE}.api.{tag.name}")
        for info in pkgutil.iter_modules(package.__path__):
            # Only the reads are imported: openapi-python-client 0.29.1 writes modules for
            # bodies with several content types that do not import (its issue #1451).
            if info.name in wanted:
                modules[info.name] = importlib.import_module(f"{package.__name__}.{info.name}")
    missing = sorted(wanted - set(modules))
    if missing:
        raise SystemExit(f"The generator left out GET operations: {', '.join(missing)}")
    return dict(sorted(modules.items()))


def path_parameter(module):
    """The detail operation's path parameter: its only positional-or-keyword argument."""
    signature = inspect.signature(module.sync_detailed)
    names = [
        name
        for name, parameter in signature.parameters.items()
        if parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    ]
    return names[0] if names else None


def call(module, client, label, **kwargs):
    response = module.sync_detailed(client=client, **kwargs)  # parses: raises on a mismatch
    if not 200 <= response.status_code < 300:
        raise AssertionError(f"{label}: HTTP {response.status_code}: {response.content[:300]!r}")
    if response.parsed is None:
        raise AssertionError(f"{label}: the client parsed nothing")
    return response.parsed


def key_of(item, parameter):
    # Plans, actions and progress updates are addressed by their id (the path names it uid).
    return getattr(item, "id" if parameter == "uid" else parameter)


def read_everything(operations, client, caller="anonymous"):
    """Returns (calls made, failures)."""
    calls, failures = 0, []
    details = {
        name[: -len("_retrieve")]: module
        for name, module in operations.items()
        if name.endswith("_retrieve") and path_parameter(module)
    }
    for name, module in operations.items():
        if name.endswith("_retrieve") and name[: -len("_retrieve")] in details:
            continue  # a detail: called below with a listed item's key
        refused = REFUSED.get(name, {}).get(caller)
        if refused is not None:
            calls += 1
            status = module.sync_detailed(client=client).status_code
            if status != refused:
                failures.append(f"{name}: HTTP {status} where {refused} was expected")
            continue
        try:
            if not name.endswith("_list"):
                call(module, client, name)
                calls += 1
                continue
            first = None
            for page in range(1, MAX_PAGES + 1):
                parsed = call(module, client, f"{name} page {page}", page=page)
                calls += 1
                first = first or (parsed.results[0] if parsed.results else None)
                if not parsed.next_:
                    break
            detail = details.get(name[: -len("_list")])
            if detail is None:
                continue
            if first is None:
                failures.append(f"{name}: empty, so its detail operation went untested")
                continue
            parameter = path_parameter(detail)
            value = key_of(first, parameter)
            call(detail, client, f"{detail.__name__} {value}", **{parameter: value})
            calls += 1
        except Exception as error:  # noqa: BLE001 - every failure is reported, then exit 1
            failures.append(f"{name}: {type(error).__name__}: {error}")
            traceback.print_exc(limit=-3)
    return calls, failures


def main(package_dir, base_url, *named_tokens):
    sys.path.insert(0, str(Path(package_dir).resolve().parent))
    client_module = importlib.import_module(f"{PACKAGE}.client")
    with urllib.request.urlopen(f"{base_url}/api/schema/?format=json") as answer:  # noqa: S310
        schema = json.load(answer)
    operations = get_operations(schema)
    callers = {"anonymous": client_module.Client(base_url=base_url)}
    for named in named_tokens:
        name, token = named.split("=", 1)
        callers[name] = client_module.AuthenticatedClient(
            base_url=base_url, token=token, prefix="Token"
        )
    status = 0
    for name, client in callers.items():
        calls, failures = read_everything(operations, client, name)
        print(f"{name}: {calls} calls, {len(failures)} failures")
        for failure in failures:
            print(f"  FAIL {failure}")
        status = status or bool(failures)
    return status


if __name__ == "__main__":
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    sys.exit(main(*sys.argv[1:]))
