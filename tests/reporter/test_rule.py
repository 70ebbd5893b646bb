"""The certification rule, clause by clause (issue 6), each with its own small fixture."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction

import pytest

from lrs_reporter.certify import Options, add_months, counts_on, window
from lrs_reporter.facts import FactBuilder
from lrs_reporter.files import ReadLog, read_completions, read_staff
from lrs_reporter.identity import People

from .conftest import COURSE, HOTEL_EXT, roster, run, staff, statement, void
from .conftest import hotel as h


def team(hotel_id: str, n: int, **kw):  # type: ignore[no-untyped-def]
    return [statement(f"p{i}.{hotel_id}@example.org", hotel=hotel_id, **kw) for i in range(n)]


def test_exactly_sixty_percent_is_certified():
    cert = run(team("H", 6), roster(("H", 10)))
    assert h(cert, "H")["certified"] is True
    assert h(cert, "H")["trained_pct"] == 60.0 and h(cert, "H")["needed"] == 0


def test_just_below_sixty_percent_is_not_certified_and_says_how_many_more():
    cert = run(team("H", 5), roster(("H", 10)))
    assert h(cert, "H")["certified"] is False and h(cert, "H")["needed"] == 1


def test_threshold_is_compared_exactly_not_in_floating_point():
    # In floats 0.07 x 100 = 7.000000000000001, whose ceiling is 8; exactly it is 7.
    cert = run(team("H", 7), roster(("H", 100)), threshold="0.07")
    assert h(cert, "H")["certified"] is True and h(cert, "H")["needed"] == 0
    assert h(cert, "H")["certified_on"] is not None
    # 0.55 x 100 = 55.00000000000001 in floats: 55 of 100 is exactly enough.
    cert = run(team("H", 55), roster(("H", 100)), threshold="0.55")
    assert h(cert, "H")["needed"] == 0 and h(cert, "H")["certified"] is True


def test_zero_employees_is_never_certified_and_has_no_percentage():
    cert = run(team("H", 3), roster(("H", 0)))
    assert h(cert, "H")["certified"] is False
    assert h(cert, "H")["trained_pct"] is None and h(cert, "H")["needed"] is None


def test_more_trained_than_employees_stays_certified_and_is_flagged():
    cert = run(team("H", 7), roster(("H", 5)))
    assert h(cert, "H")["certified"] is True and h(cert, "H")["trained_pct"] == 140.0
    assert cert.data_quality["hotels_over_100pct"] == 1


def test_voided_completion_does_not_count_whether_void_comes_before_or_after():
    sts = team("H", 6)
    before = [void(sts[0])] + sts
    after = sts + [void(sts[0])]
    for order in (before, after):
        cert = run(order, roster(("H", 10)))
        assert h(cert, "H")["trained"] == 5 and h(cert, "H")["certified"] is False
        assert cert.data_quality["voided"] == 1


def test_a_void_of_a_void_is_ignored():
    sts = team("H", 1)
    first = void(sts[0])
    cert = run(sts + [first, void(first)], roster(("H", 1)))
    assert h(cert, "H")["trained"] == 0


def test_duplicate_statement_ids_count_once():
    sts = team("H", 1)
    cert = run(sts + [dict(sts[0])], roster(("H", 1)))
    assert cert.data_quality["duplicates"] == 1 and h(cert, "H")["trained"] == 1


def test_email_case_variants_are_one_learner():
    sts = [statement("Ann@Example.org", hotel="H"), statement("ann@example.ORG", hotel="H")]
    assert h(run(sts, roster(("H", 10))), "H")["trained"] == 1


def test_sha1_of_the_lower_cased_mailto_matches_the_staff_email():
    sha = hashlib.sha1(b"mailto:ann@example.org").hexdigest()
    sts = [statement({"mbox_sha1sum": sha.upper()})]
    cert = run(sts, roster(("H", 1)), staff(("H", "ANN@example.org")))
    assert h(cert, "H")["trained"] == 1


def test_accounts_match_ignoring_homepage_case_and_trailing_slash_but_not_name_case():
    acct = {"account": {"homePage": "https://LMS.example/", "name": "E001"}}
    other = {"account": {"homePage": "https://lms.example", "name": "e001"}}
    from lrs_reporter.identity import staff_keys

    listed = {k: {"H"} for k in staff_keys("", "https://lms.example", "E001")}
    cert = run([statement(acct), statement(other)], roster(("H", 10)), listed)
    assert h(cert, "H")["trained"] == 1
    assert cert.data_quality["unmatched_learners"] == 1


def test_staff_in_two_hotels_counts_for_both():
    cert = run([statement("ann@example.org")], roster(("A", 1), ("B", 1)),
               staff(("A", "ann@example.org"), ("B", "ann@example.org")))
    assert h(cert, "A")["trained"] == 1 and h(cert, "B")["trained"] == 1


def test_staff_list_beats_the_hotel_extension():
    cert = run([statement("ann@example.org", hotel="B")], roster(("A", 1), ("B", 1)),
               staff(("A", "ann@example.org")))
    assert h(cert, "A")["trained"] == 1 and h(cert, "B")["trained"] == 0


def test_learner_off_the_staff_list_with_unknown_or_no_hotel_is_unmatched():
    sts = [statement("x@example.org", hotel="NOPE"), statement("y@example.org")]
    cert = run(sts, roster(("A", 1)))
    assert h(cert, "A")["trained"] == 0
    assert cert.data_quality["unmatched_learners"] == 2
    assert cert.data_quality["unknown_hotels"] == 1


def test_only_completed_and_passed_about_the_course_count():
    sts = [statement("a@x.org", "failed", hotel="H"), statement("b@x.org", "attempted", hotel="H"),
           statement("c@x.org", "completed", hotel="H", obj="https://other.example/course"),
           statement("d@x.org", "completed", hotel="H", obj=f"{run.__module__}"),
           statement("e@x.org", "passed", hotel="H")]
    cert = run(sts, roster(("H", 10)))
    assert h(cert, "H")["trained"] == 1
    assert cert.data_quality["other_activities"] == 2


def test_module_activities_below_the_course_never_count(course):
    cert = run([statement("a@x.org", hotel="H", obj=f"{course}/module/signals")], roster(("H", 1)))
    assert h(cert, "H")["trained"] == 0


def test_as_of_is_the_end_of_the_day_in_utc_across_time_zones():
    # 23:30 in Amsterdam (+01:00) on 1 Nov is 22:30 UTC on 1 Nov: counts.
    # 00:30 on 2 Nov in +02:00 is 22:30 UTC on 1 Nov: counts.
    # 23:30 on 1 Nov in -05:00 is 04:30 UTC on 2 Nov: does not count.
    sts = [statement("a@x.org", when="2026-11-01T23:30:00+01:00", hotel="H"),
           statement("b@x.org", when="2026-11-02T00:30:00+02:00", hotel="H"),
           statement("c@x.org", when="2026-11-01T23:30:00-05:00", hotel="H")]
    assert h(run(sts, roster(("H", 10)), as_of="2026-11-01"), "H")["trained"] == 2


def test_stored_is_used_when_there_is_no_timestamp():
    st = statement("a@x.org", hotel="H")
    del st["timestamp"]
    st["stored"] = "2026-12-01T00:00:00Z"
    assert h(run([st], roster(("H", 1)), as_of="2026-11-30"), "H")["trained"] == 0
    assert h(run([st], roster(("H", 1)), as_of="2026-12-01"), "H")["trained"] == 1


def test_valid_months_window_excludes_old_training():
    sts = [statement("old@x.org", when="2024-11-01T23:59:59Z", hotel="H"),
           statement("edge@x.org", when="2024-11-02T00:00:01Z", hotel="H")]
    cert = run(sts, roster(("H", 10)), as_of="2026-11-01", valid_months=24)
    assert h(cert, "H")["trained"] == 1


def test_certified_on_is_the_date_the_required_learner_qualified():
    sts = [statement(f"p{i}@x.org", when=f"2026-0{i + 1}-15T12:00:00Z", hotel="H")
           for i in range(8)]
    cert = run(sts, roster(("H", 10)), valid_months=12)
    # ceil(0.6 x 10) = 6: the sixth learner in time order qualified on 15 June.
    assert h(cert, "H")["certified_on"] == date(2026, 6, 15)
    # Valid until the day the hotel would drop below 6 if nobody else trained: the March
    # learner's training is the sixth latest and counts through 14 March 2027.
    assert h(cert, "H")["valid_until"] == date(2027, 3, 14)


def test_valid_until_is_the_last_day_a_later_report_still_certifies():
    sts = [statement(f"p{i}@x.org", when=f"2026-0{i + 1}-15T12:00:00Z", hotel="H")
           for i in range(8)]
    until = h(run(sts, roster(("H", 10)), valid_months=12), "H")["valid_until"]
    later = run(sts, roster(("H", 10)), as_of=until.isoformat(), valid_months=12)
    assert h(later, "H")["certified"] is True
    after = run(sts, roster(("H", 10)), as_of=(until + timedelta(days=1)).isoformat(),
                valid_months=12)
    assert h(after, "H")["certified"] is False and h(after, "H")["needed"] == 1


def test_retraining_extends_valid_until():
    sts = [statement("a@x.org", when="2026-01-10T12:00:00Z", hotel="H")]
    assert h(run(sts, roster(("H", 1)), valid_months=12), "H")["valid_until"] == date(2027, 1, 9)
    sts.append(statement("a@x.org", when="2026-09-10T12:00:00Z", hotel="H"))
    cert = run(sts, roster(("H", 1)), valid_months=12)
    assert h(cert, "H")["certified_on"] == date(2026, 1, 10)
    assert h(cert, "H")["valid_until"] == date(2027, 9, 9)


# (completed at, valid months, as-of day, counts, the certificate's valid_until)
MONTH_ENDS = [
    ("2026-02-28T12:00:00Z", 1, "2026-03-27", True, "2026-03-27"),
    ("2026-02-28T12:00:00Z", 1, "2026-03-28", False, None),
    ("2026-02-28T12:00:00Z", 1, "2026-03-30", False, None),
    ("2026-02-28T12:00:00Z", 1, "2026-03-31", False, None),
    ("2026-03-01T00:00:00Z", 1, "2026-03-31", True, "2026-03-31"),
    ("2026-03-01T00:00:00Z", 1, "2026-04-01", False, None),
    ("2026-03-31T12:00:00Z", 1, "2026-03-31", True, "2026-04-30"),
    ("2026-03-31T12:00:00Z", 1, "2026-04-30", True, "2026-04-30"),
    ("2026-03-31T12:00:00Z", 1, "2026-05-01", False, None),
    ("2026-03-30T12:00:00Z", 1, "2026-04-30", False, None),
    ("2026-01-31T08:00:00Z", 1, "2026-02-28", True, "2026-02-28"),
    ("2026-01-31T08:00:00Z", 1, "2026-03-01", False, None),
    ("2026-01-28T08:00:00Z", 1, "2026-02-28", False, None),
    ("2026-01-28T08:00:00Z", 1, "2026-02-27", True, "2026-02-27"),
    ("2024-02-29T08:00:00Z", 12, "2025-02-28", True, "2025-02-28"),
    # 23:30 on 28 Feb in New York is 1 March in UTC: valid through 31 March.
    ("2026-02-28T23:30:00-05:00", 1, "2026-03-31", True, "2026-03-31"),
]


@pytest.mark.parametrize(("when", "months", "as_of", "counts", "until"), MONTH_ENDS,
                         ids=[f"{w[:10]}+{m}m@{a}" for w, m, a, _, _ in MONTH_ENDS])
def test_valid_months_at_month_ends_report_and_certificate_agree(when, months, as_of, counts,
                                                                 until):
    cert = run([statement("a@x.org", when=when, hotel="H")], roster(("H", 1)), as_of=as_of,
               valid_months=months)
    assert h(cert, "H")["trained"] == int(counts)
    assert h(cert, "H")["valid_until"] == (date.fromisoformat(until) if until else None)


def test_the_window_is_the_issues_wording_day_by_day():
    """'later than the end of the as-of day minus N months', read literally with calendar
    months, against counts_on() (the certificate's definition) and window() (the report's)."""
    day = date(2023, 12, 1)
    for months in (1, 2, 12, 13):
        for a in range(0, 500, 1):
            as_of = day + timedelta(days=a)
            end_minus = datetime.combine(add_months(as_of, -months), time.max, UTC)
            start = window(Options(("x",), as_of, valid_months=months))[1]
            for back in range(months * 28 - 3, months * 31 + 3):
                trained = as_of - timedelta(days=back)
                noon = datetime.combine(trained, time(12), UTC)
                assert counts_on(trained, as_of, months) is (noon > end_minus), (trained, as_of)
                assert (noon >= start) is (noon > end_minus), (trained, as_of)


def test_a_staff_row_with_an_email_and_an_account_is_one_person(tmp_path):
    path = tmp_path / "staff.csv"
    path.write_text("hotel_id,email,account_homepage,account_name,role\n"
                    "H,ann@example.org,https://lms.example,E001,bar\n", encoding="utf-8")
    people = People()
    listed = read_staff(path, {"H"}, people)
    sts = [statement("ann@example.org", when="2026-03-01T00:00:00Z"),
           statement({"account": {"homePage": "https://LMS.example/", "name": "E001"}},
                     when="2026-02-01T00:00:00Z")]
    cert = run(sts, roster(("H", 3)), listed, people=people)
    assert h(cert, "H")["trained"] == 1 and h(cert, "H")["certified"] is False
    assert h(cert, "H")["needed"] == 1
    assert cert.data_quality["trained_learners"] == 1
    assert list(cert.learners["trained_on"]) == [date(2026, 2, 1)]


def test_an_lms_export_row_with_an_email_and_an_account_is_one_person(tmp_path):
    path = tmp_path / "lms.csv"
    path.write_text("email,account_homepage,account_name,status,completed_at,hotel_id\n"
                    "bob@example.org,https://lms.example,E002,completed,2026-01-05,H\n",
                    encoding="utf-8")
    people, facts = People(), FactBuilder(HOTEL_EXT)
    read_completions(path, facts, COURSE, ReadLog(), people)
    sts = [statement({"account": {"homePage": "https://lms.example", "name": "E002"}},
                     hotel="H")]
    cert = run(sts, roster(("H", 2)), people=people, facts=facts)
    assert h(cert, "H")["trained"] == 1


def test_rows_sharing_an_identity_join_into_one_person():
    people = People()
    people.link(["sha1:b", "acct:x|1"])
    people.link(["acct:x|1", "sha1:a"])
    assert {people.person(k) for k in ("sha1:b", "acct:x|1", "sha1:a")} == {"acct:x|1"}
    assert people.person("sha1:other") == "sha1:other"


ADMIN_ACTORS = {
    "anonymous group": {"objectType": "Group", "member": [{"mbox": "mailto:a@x.org"}]},
    "mbox without @": {"mbox": "mailto:admin"},
    "no actor at all": None,
}


@pytest.mark.parametrize("actor", list(ADMIN_ACTORS.values()), ids=list(ADMIN_ACTORS))
def test_a_void_by_an_unidentifiable_actor_still_voids(actor):
    st = statement("a@x.org", hotel="H")
    v = {**void(st), "actor": actor}
    if actor is None:
        del v["actor"]
    cert = run([v, st], roster(("H", 1)))
    assert h(cert, "H")["trained"] == 0 and cert.data_quality["voided"] == 1


def test_a_void_without_timestamp_or_stored_still_voids():
    st = statement("a@x.org", hotel="H")
    v = void(st)
    del v["timestamp"]
    cert = run([st, v], roster(("H", 1)))
    assert h(cert, "H")["trained"] == 0 and cert.data_quality["voided"] == 1


def test_conflicting_duplicates_are_counted_and_the_first_copy_wins():
    first = statement("a@x.org", hotel="H", obj="https://other.example/x")
    second = {**statement("a@x.org", hotel="H"), "id": first["id"]}
    cert = run([first, second, dict(first)], roster(("H", 1)))
    assert h(cert, "H")["trained"] == 0
    assert cert.data_quality["duplicates"] == 2
    assert cert.data_quality["conflicting_duplicates"] == 1
    cert = run([second, first], roster(("H", 1)))
    assert h(cert, "H")["trained"] == 1 and cert.data_quality["conflicting_duplicates"] == 1
    same = run([second, dict(second)], roster(("H", 1)))
    assert same.data_quality["conflicting_duplicates"] == 0


def test_a_threshold_of_zero_is_refused():
    with pytest.raises(ValueError, match="more than 0"):
        Options((COURSE,), date(2026, 11, 1), Fraction(0))


def test_certified_on_uses_each_learners_earliest_qualifying_statement():
    sts = [statement("a@x.org", when="2026-03-01T00:00:00Z", hotel="H"),
           statement("a@x.org", when="2026-01-01T00:00:00Z", hotel="H")]
    assert h(run(sts, roster(("H", 1))), "H")["certified_on"] == date(2026, 1, 1)


def test_chains_sum_their_hotels():
    cert = run(team("A", 6) + team("B", 1), roster(("A", 10), ("B", 10), chain="Blue"))
    (chain,) = cert.chains.to_dict("records")
    assert chain == {"chain": "Blue", "hotels": 2, "certified_hotels": 1, "employees": 20,
                     "trained": 7}


def test_valid_until_ends_when_the_extension_would_place_the_learner_elsewhere():
    # Off the staff list: placed in A by the earliest statement naming a roster hotel. Once that
    # one leaves the window, the March statement places them in B, so A's certificate ends.
    sts = [statement("m@x.org", hotel="A", when="2026-01-10T12:00:00Z"),
           statement("m@x.org", hotel="B", when="2026-03-10T12:00:00Z"),
           statement("m@x.org", hotel="A", when="2026-05-10T12:00:00Z")]
    cert = run(sts, roster(("A", 1), ("B", 1)), as_of="2026-06-01", valid_months=12)
    assert h(cert, "A")["valid_until"] == date(2027, 1, 9) and h(cert, "B")["trained"] == 0
    later = run(sts, roster(("A", 1), ("B", 1)), as_of="2027-01-10", valid_months=12)
    assert h(later, "A")["certified"] is False and h(later, "B")["certified"] is True
