"""The organisations that provide, host or award learning opportunities."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics

from catalogue.api.base import PublicReadMixin, ReferencePagination
from catalogue.api.errors import api_errors
from catalogue.api.serializers import OrganisationSerializer
from descriptors.models import Organisation


@extend_schema(summary="List organisations")
class ProviderList(PublicReadMixin, generics.ListAPIView):
    """Organisations that provide, host or award learning opportunities."""

    serializer_class = OrganisationSerializer
    pagination_class = ReferencePagination
    queryset = Organisation.objects.select_related("provider_type", "country").order_by("name")


@extend_schema(summary="Read one organisation")
@api_errors({404: "No organisation has that id."})
class ProviderDetail(PublicReadMixin, generics.RetrieveAPIView):
    """An organisation: its names, legal identifier, type, registration country, city and
    homepage."""

    serializer_class = OrganisationSerializer
    queryset = ProviderList.queryset
