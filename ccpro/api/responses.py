"""The reference's success envelope. Views return one of these; they never build bodies by hand."""

from rest_framework import status as http
from rest_framework.response import Response


def data_response(data, *, status: int = http.HTTP_200_OK, meta: dict | None = None) -> Response:
    body = {"data": data}
    if meta is not None:
        body["meta"] = meta
    return Response(body, status=status)


def message_response(message: str, *, status: int = http.HTTP_200_OK) -> Response:
    return Response({"message": message}, status=status)
