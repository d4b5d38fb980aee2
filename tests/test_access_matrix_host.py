"""The access matrix of tests/test_access_matrix.py for the workshop's host from a region outside
the hot seat: the same scenario and routes, with aarhus-2017 hosted by ITC4, whose host
(host.itc4@) judges neither DK04 nor IE04. ``ALLOWED`` there says what this kind may use."""
from __future__ import annotations

import pytest

from tests.test_access_matrix import HOST, RULES, build_scenario, check_route


@pytest.fixture(scope="module")
def scenario(shared_data):
    return shared_data(lambda: build_scenario(host_region="ITC4"))


@pytest.mark.parametrize("rule", RULES, ids=[rule.endpoint for rule in RULES])
def test_the_route_answers_the_uninvolved_host_as_it_should(scenario, client, login, rule):
    check_route(scenario, client, login, rule, HOST)
