"""What every API endpoint shares: the error body, pagination and the exception handler.

Every error, whatever raised it, reaches the client as
`{"error": {"code": "...", "message": "中文说明", "fields": {"field": ["…"]}}}`.
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .access import MAX_OBJECT_ID
from .bounds import InvalidQuery
from .errors import DomainError, domain_error_from_validation

MESSAGES_BY_CODE = {
    "not_authenticated": "请先登录",
    "authentication_failed": "身份验证失败",
    "permission_denied": "没有权限执行此操作",
    "not_found": "未找到该记录",
    "method_not_allowed": "不支持该请求方法",
    "not_acceptable": "无法提供所请求的格式",
    "unsupported_media_type": "不支持的数据格式",
    "throttled": "请求过于频繁，请稍后再试",
    "parse_error": "请求数据格式错误",
}


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    # A declared field, not the Serializer.fields property: DRF's serializer metaclass takes declared
    # fields out of the class's attributes when the class is made, and the error body's key must be
    # "fields".
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField())
    )


class ErrorSerializer(serializers.Serializer):
    """The one error body of the API (documented in the schema)."""

    error = ErrorDetailSerializer()


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(_flatten(value, name))
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return {prefix or "non_field_errors": [str(item) for item in detail]}
        out = {}
        for index, item in enumerate(detail):
            out.update(_flatten(item, f"{prefix}[{index}]"))
        return out
    return {prefix or "non_field_errors": [str(detail)]}


NUMERIC_VALUE_OUT_OF_RANGE = "22003"  # SQLSTATE


def _out_of_range(exc: Exception) -> bool:
    """A number too large for the database: SQLite raises OverflowError, PostgreSQL 22003."""
    if isinstance(exc, OverflowError):
        return True
    cause = getattr(exc, "__cause__", None)
    return isinstance(exc, DataError) and getattr(cause, "sqlstate", None) == NUMERIC_VALUE_OUT_OF_RANGE


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if _out_of_range(exc):
        return Response(error_body("out_of_range", "数值超出范围"), status=400)
    if isinstance(exc, InvalidQuery):
        return Response(error_body("invalid", exc.message, exc.field_errors), status=400)
    if isinstance(exc, DjangoValidationError):
        exc = domain_error_from_validation(exc)
    if isinstance(exc, DomainError):
        return Response(error_body(exc.code, exc.message, exc.field_errors), status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response

    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        non_field = fields.pop("non_field_errors", [])
        message = "；".join(non_field) or "提交的数据有误，请检查标出的字段"
        response.data = error_body("invalid", message, fields)
        return response

    code = exc.default_code
    detail = exc.detail
    message = MESSAGES_BY_CODE.get(code) or (str(detail) if not isinstance(detail, (dict, list)) else "")
    response.data = error_body(code, message or "请求失败")
    return response


class ObjectIdField(serializers.IntegerField):
    """An object id in input: positive and within the database's range (never a 500)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_OBJECT_ID)
        super().__init__(**kwargs)


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
