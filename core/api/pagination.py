from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """`?page=N&page_size=M` (at most 200); answers {"count", "next", "previous", "results"}."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def page_serializer(item_serializer, *, ref_name: str):
    """A serializer class describing one page of `item_serializer`, for the OpenAPI schema."""
    meta = type("Meta", (), {"ref_name": ref_name})
    return type(
        f"{ref_name}Serializer",
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item_serializer(many=True),
            "Meta": meta,
        },
    )
