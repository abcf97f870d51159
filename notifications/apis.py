"""HTTP endpoints of notifications (group "Notification" of the reference)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers

from ccpro.api.fields import UnixTimestampField
from ccpro.api.pagination import paginate
from ccpro.api.responses import data_response
from ccpro.api.schema import AUTHENTICATED_ERRORS, data_envelope, error_responses
from ccpro.api.validation import InputSerializer
from ccpro.api.views import ApiView, parse_uuid

from . import selectors, services

PER_PAGE = 25


# --- Output --------------------------------------------------------------------------------------


class PermanentNotificationOutput(serializers.Serializer):
    type = serializers.CharField()
    category = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()


class NotificationOutput(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    message = serializers.CharField()
    category = serializers.CharField()
    code = serializers.CharField()
    meta = serializers.DictField(child=serializers.CharField(allow_null=True))
    createdAt = UnixTimestampField(source="created_at")
    readAt = UnixTimestampField(source="read_at", allow_null=True)


PageMeta = inline_serializer(
    name="PageMeta",
    fields={
        "total": serializers.IntegerField(),
        "currentPage": serializers.IntegerField(),
        "perPage": serializers.IntegerField(),
        "lastPage": serializers.IntegerField(),
    },
)
PermanentMeta = inline_serializer(name="PermanentNotificationMeta", fields={"total": serializers.IntegerField()})
NotificationPageBody = data_envelope(NotificationOutput, many=True, meta=PageMeta)
PermanentListBody = data_envelope(PermanentNotificationOutput, many=True, meta=PermanentMeta)


# --- Input ---------------------------------------------------------------------------------------


class NotificationFilterInput(InputSerializer):
    type = serializers.ChoiceField(choices=[selectors.READ, selectors.UNREAD], required=False)


def _page(request, queryset):
    items, meta = paginate(queryset, page=request.query_params.get("page"), per_page=PER_PAGE)
    return data_response(NotificationOutput(items, many=True).data, meta=meta)


# --- Views ---------------------------------------------------------------------------------------


class PermanentNotificationListApi(ApiView):
    @extend_schema(responses={200: PermanentListBody, **error_responses(*AUTHENTICATED_ERRORS)})
    def get(self, request, user):
        entries, unread = selectors.permanent_notification_list(user=user)
        return data_response(PermanentNotificationOutput(entries, many=True).data, meta={"total": unread})


class NotificationListApi(ApiView):
    @extend_schema(
        parameters=[
            OpenApiParameter("type", str, enum=[selectors.READ, selectors.UNREAD], required=False),
            OpenApiParameter("page", int, required=False),
        ],
        responses={200: NotificationPageBody, **error_responses(*AUTHENTICATED_ERRORS)},
    )
    def get(self, request, user, notification_id=None):
        filters = NotificationFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        notifications = selectors.notification_list(
            user=user,
            type=filters.validated_data.get("type"),
            notification_id=parse_uuid(notification_id) if notification_id is not None else None,
        )
        return _page(request, notifications)


class NotificationMarkAllReadApi(ApiView):
    @extend_schema(
        request=None,
        parameters=[OpenApiParameter("page", int, required=False)],
        responses={200: NotificationPageBody, **error_responses(*AUTHENTICATED_ERRORS)},
    )
    def post(self, request, user):
        return _page(request, services.notification_mark_all_read(user=user))
