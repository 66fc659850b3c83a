"""docs/api/openapi.yaml and the sandbox agree: same routes both ways, keys where they must be."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from kiosk.sandbox.server import SandboxHandle

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def _documented(openapi: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in openapi["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }


def test_every_served_route_is_documented_and_vice_versa(
    sandbox: SandboxHandle, openapi: dict[str, Any]
) -> None:
    served = {(route.method, route.template) for route in sandbox.app.routes}
    documented = _documented(openapi)
    assert served - documented == set(), "served but not in openapi.yaml"
    assert documented - served == set(), "in openapi.yaml but not served"


def test_openapi_is_3_1_and_its_schemas_are_valid(openapi: dict[str, Any]) -> None:
    assert openapi["openapi"].startswith("3.1")
    for schema in openapi["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


def test_creating_posts_require_an_idempotency_key(
    sandbox: SandboxHandle, openapi: dict[str, Any]
) -> None:
    params = openapi["components"]["parameters"]
    for route in sandbox.app.routes:
        if route.method != "POST" or route.admin:
            continue
        operation = openapi["paths"][route.template]["post"]
        keys = [
            params[p["$ref"].rsplit("/", 1)[1]]
            for p in operation.get("parameters", [])
            if "$ref" in p
        ]
        headers = [k for k in keys if k["in"] == "header" and k["name"] == "Idempotency-Key"]
        assert headers, f"{route.template} documents no Idempotency-Key"
        assert headers[0]["required"] is route.creates, route.template


def test_sandbox_only_routes_are_marked(sandbox: SandboxHandle, openapi: dict[str, Any]) -> None:
    for route in sandbox.app.routes:
        operation = openapi["paths"][route.template][route.method.lower()]
        assert operation.get("x-sandbox-only", False) is route.admin, route.template


def test_every_operation_documents_errors_with_the_error_schema(openapi: dict[str, Any]) -> None:
    responses = openapi["components"]["responses"]
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS or operation.get("x-sandbox-only"):
                continue
            errors = {code: r for code, r in operation["responses"].items() if code >= "400"}
            assert "503" in errors, f"{method} {path} documents no 503"
            for response in errors.values():
                name = response["$ref"].rsplit("/", 1)[1]
                schema = responses[name]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}


def test_every_ref_resolves(openapi: dict[str, Any]) -> None:
    def walk(node: Any) -> list[str]:
        if isinstance(node, dict):
            refs = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
            return refs + [r for value in node.values() for r in walk(value)]
        if isinstance(node, list):
            return [r for value in node for r in walk(value)]
        return []

    refs = walk(openapi)
    assert len(refs) > 50
    for ref in refs:
        assert ref.startswith("#/"), ref
        target: Any = openapi
        for part in ref[2:].split("/"):
            assert part in target, ref
            target = target[part]


def test_client_enums_match_the_documented_ones(openapi: dict[str, Any]) -> None:
    from kiosk.platform import WireApplicationStatus, WireCertificateKind, WireRecordKind
    from kiosk.sandbox.certificates import KINDS
    from kiosk.sandbox.records import RECORD_KINDS

    schemas = openapi["components"]["schemas"]
    assert (
        set(schemas["RecordKind"]["enum"]) == {k.value for k in WireRecordKind} == set(RECORD_KINDS)
    )
    assert (
        set(schemas["CertificateKind"]["enum"])
        == {k.value for k in WireCertificateKind}
        == set(KINDS)
    )
    assert set(schemas["ApplicationStatus"]["enum"]) == {s.value for s in WireApplicationStatus}
