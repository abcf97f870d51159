from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation

# (renderer classes, format, Accept header) -> (index of the chosen renderer, accepted media type). Clients send
# a handful of Accept headers; parsing and ranking one is most of the negotiation's cost, every request. Bounded:
# past the limit new combinations are negotiated without being kept.
_CHOICES: dict[tuple, tuple[int, str]] = {}
_CHOICES_LIMIT = 256
_ACCEPT_KEPT_LENGTH = 200  # longer headers (junk, or crafted to fill the table) are negotiated, not kept


class JsonOnlyContentNegotiation(DefaultContentNegotiation):
    """The API speaks JSON whatever the Accept header says (partners send all sorts), instead of 406."""

    def select_renderer(self, request, renderers, format_suffix=None):
        format_ = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        key = (tuple(type(renderer) for renderer in renderers), format_, request.META.get("HTTP_ACCEPT", "*/*"))
        found = _CHOICES.get(key)
        if found is not None:
            return renderers[found[0]], found[1]
        renderer, media_type = self._negotiate(request, renderers, format_suffix)
        if len(_CHOICES) < _CHOICES_LIMIT and len(key[2]) <= _ACCEPT_KEPT_LENGTH:
            _CHOICES[key] = (renderers.index(renderer), media_type)
        return renderer, media_type

    def _negotiate(self, request, renderers, format_suffix):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except NotAcceptable:
            return renderers[0], renderers[0].media_type
