"""The dashboard's histogram bins (issue 17 §1), by exact integers: boundaries, 100 %, over
100 % and hotels without employees."""

from __future__ import annotations

from lrs_reporter.outputs.charts import Bin, histogram, histogram_svg


def hotel(trained: int, employees: int, certified: bool) -> dict:
    return {"trained": trained, "employees": employees, "certified": certified}


def test_a_hotel_on_a_boundary_counts_in_the_higher_bin_and_100_in_the_last():
    bins = histogram([hotel(6, 10, True), hotel(59, 100, False), hotel(10, 10, True),
                      hotel(0, 7, False), hotel(0, 0, False)])
    counts = {b.label: (b.certified, b.not_certified) for b in bins if b.total}
    assert counts == {"60 to 70 %": (1, 0), "50 to 60 %": (0, 1), "90 to 100 %": (1, 0),
                      "0 to 10 %": (0, 1)}  # 0 employees: in no bin
    assert [b.label for b in bins][-1] == "90 to 100 %"  # no "over 100 %" bar when none is


def test_more_trained_than_employees_gets_its_own_bar():
    bins = histogram([hotel(7, 5, True)])
    assert bins[-1] == Bin("over 100 %", 101, 1, 0)
    svg = histogram_svg(bins, 60)
    assert 'data-bin="101" data-n="1"' in svg and "&gt;100" in svg
    assert 'viewBox="0 0 ' in svg and 'width="100%"' in svg
