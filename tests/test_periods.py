"""Periods of actual results: months, quarters and years, as written and as days."""

from __future__ import annotations

import datetime as dt
import pickle
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mission_playbook.model.periods import Period, containing, last_complete, parse

D = dt.date


@pytest.mark.parametrize(
    ("text", "start", "end", "per"),
    [
        ("2027-03", D(2027, 3, 1), D(2027, 3, 31), "month"),
        ("2028-02", D(2028, 2, 1), D(2028, 2, 29), "month"),
        ("2027-Q1", D(2027, 1, 1), D(2027, 3, 31), "quarter"),
        ("2027-Q4", D(2027, 10, 1), D(2027, 12, 31), "quarter"),
        ("2027", D(2027, 1, 1), D(2027, 12, 31), "year"),
        (2027, D(2027, 1, 1), D(2027, 12, 31), "year"),
        (" 2027-12 ", D(2027, 12, 1), D(2027, 12, 31), "month"),
        ("9999-12", D(9999, 12, 1), D(9999, 12, 31), "month"),
    ],
)
def test_periods_as_written(text, start, end, per):
    period = parse(text)
    assert period is not None
    assert (period.start, period.end, period.per) == (start, end, per)
    assert str(period) == str(text).strip()


@pytest.mark.parametrize(
    "text",
    [
        "2027-13",
        "2027-00",
        "2027-Q0",
        "2027-Q5",
        "2027-q1",
        "27-03",
        "0000",
        "2027-03-01",
        "",
        True,
        None,
        2027.0,
        ["2027"],
    ],
)
def test_what_is_not_a_period(text):
    assert parse(text) is None


def test_the_period_containing_a_day_and_the_last_complete_one():
    assert str(containing(D(2027, 5, 17), "quarter")) == "2027-Q2"
    assert str(last_complete("month", D(2027, 3, 31))) == "2027-03"  # its last day: complete
    assert str(last_complete("month", D(2027, 3, 30))) == "2027-02"
    assert str(last_complete("quarter", D(2027, 3, 30))) == "2026-Q4"
    assert str(last_complete("year", D(2027, 6, 30))) == "2026"


def test_elapsed_days_include_the_day_itself():
    march = parse("2027-03")
    assert march is not None
    assert march.elapsed(D(2027, 3, 15)) == Fraction(15, 31)
    assert march.elapsed(D(2027, 3, 31)) == 1
    assert march.elapsed(D(2027, 4, 2)) == 1
    assert march.elapsed(D(2027, 2, 28)) == 0


def test_periods_order_by_start_then_length_and_survive_pickling():
    q1, jan, year = parse("2027-Q1"), parse("2027-01"), parse("2027")
    assert sorted([year, q1, jan]) == [jan, q1, year]  # type: ignore[type-var]
    assert pickle.loads(pickle.dumps(q1)) == q1
    assert len({q1, parse("2027-Q1")}) == 1


@given(
    st.dates(min_value=D(1, 2, 1), max_value=D(9999, 11, 30)),
    st.sampled_from(["month", "quarter", "year"]),
)
def test_every_day_is_in_exactly_one_period_of_each_length(day, per):
    period = containing(day, per)
    assert period.contains(day)
    assert parse(str(period)) == period
    before = period.previous()
    assert before is not None and before.end + dt.timedelta(days=1) == period.start
    assert isinstance(period, Period)
