"""The workbench benchmark (bench/workbench.py) run on a handful of rows: every page and request it times still answers,
so the benchmark cannot rot silently while the workbench changes."""

from argparse import Namespace

from django.utils import timezone

from apps.evaluations.models import ReviewAssignment
from apps.organizations.models import Node
from bench import workbench

from .conftest import committee
from .evaluation_factories import ApplicationFactory, HonorFactory, RoundFactory
from .factories import CollectiveFactory, MembershipFactory, UserFactory


def tiny_national_data():
    """The bench's three users; a national round in review with three scored applications; a named national round
    with one title; a registration waiting in 大观区."""
    users = {
        key: MembershipFactory(user=UserFactory(username=username), node=committee(region), role=role).user
        for key, (username, _name, role, region) in workbench.USERS.items()
    }
    national = Node.objects.get(depth=1)
    review = RoundFactory(node=national, stage="review", quota=3_000)
    items = list(review.rubric_items.all())
    for _ in range(3):
        application = ApplicationFactory(round=review, status="review")
        ReviewAssignment.objects.create(
            application=application, expert=UserFactory(), assigned_by=users[workbench.NATIONAL_USER],
            scores={str(item.pk): item.max_points - 1 for item in items}, submitted_at=timezone.now(),
        )  # fmt: skip
    named = RoundFactory(node=national, stage="named", year=2025)
    HonorFactory(application__round=named, level="national", year=2025)
    CollectiveFactory(status="submitted")
    return review


def test_the_workbench_benchmark_measures_every_page_beside_the_floor(db, capsys):
    review = tiny_national_data()
    subjects = workbench.find_subjects()
    assert subjects["review"] == review

    measured = workbench.measure_all(subjects, Namespace(requests=1, warmup=1, max_seconds=1, proposed=2, only=None))

    assert set(measured) == set(workbench.USERS)
    for floor, results in measured.values():
        assert floor.status == 200 and floor.queries > 0 and len(floor.timings) == 2  # before and after the pages
        pages = {r.scenario.label: r for r in results}
        assert "/workbench/ registered, last page" in pages and "/workbench/applications/ all, last page" in pages
        for label, result in pages.items():
            expected = 302 if result.scenario.method == "POST" else 200  # a saved list redirects to the round
            assert (label, result.status) == (label, expected)
            assert result.queries > 0 and len(result.timings) == 1
    national = {r.scenario.label for r in measured[workbench.NATIONAL_USER][1]}
    assert {
        "national round page", "national round page, page 40 by committee", "round: propose one row", "round: propose top 2 within quotas",
        "round: propose all filtered (no filter)", "round: clear the proposed list", "named list .xlsx (1 names)",
    } <= national  # fmt: skip
    assert not review.applications.filter(proposed=True).exists()  # every save was rolled back

    over = workbench.print_table(measured, budget_ms=0)  # every page over a budget of 0 ms
    workbench.print_slowest_queries(over)
    output = capsys.readouterr().out
    assert "framework floor" in output and "SELECT" in output
