import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.organizations.models import Industry

from .models import ChangeRequest, ChangeStatus, Collective, Status


class StaffCollectiveFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=[(s.value, s.label) for s in Status if s in Status.staff_visible()], empty_label=_("All")
    )
    industry = django_filters.ModelChoiceFilter(label=_("Industry"), queryset=Industry.objects.all(), empty_label=_("All"))
    outside_rules = django_filters.BooleanFilter(
        label=_("Members outside the rules"), widget=django_filters.widgets.BooleanWidget()
    )

    class Meta:
        model = Collective
        fields = ["q", "status", "industry", "outside_rules"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(name__contains=value) | Q(workplace_unit__contains=value) | Q(registration_number__startswith=value)
        )


class ChangeRequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ChangeStatus.choices, empty_label=_("All"))
    breaks_rules = django_filters.BooleanFilter(label=_("Members outside the rules"), widget=django_filters.widgets.BooleanWidget())

    class Meta:
        model = ChangeRequest
        fields = ["status", "breaks_rules"]
