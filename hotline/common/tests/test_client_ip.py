"""One client address for every limit and every log line (``hotline.common.client_ip``)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings

from hotline.common import ratelimit
from hotline.common.client_ip import client_ip, parse_networks, resolve

PROXIES = parse_networks("10.0.0.10, 10.1.0.0/16, fd00::/8")


def test_without_trusted_proxies_the_header_is_ignored():
    assert resolve("203.0.113.7", "198.51.100.1", ()) == "203.0.113.7"


def test_a_peer_that_is_not_a_trusted_proxy_cannot_name_the_client():
    """A client talking to an app server directly forges X-Forwarded-For: ignored."""
    assert resolve("203.0.113.7", "198.51.100.1", PROXIES) == "203.0.113.7"


def test_behind_the_proxy_the_client_is_the_right_most_untrusted_address():
    assert resolve("10.0.0.10", "203.0.113.7", PROXIES) == "203.0.113.7"
    # the client sent its own header; nginx appended the real address after it
    assert resolve("10.0.0.10", "198.51.100.1, 203.0.113.7", PROXIES) == "203.0.113.7"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right():
    """Load balancer 10.1.2.3 → nginx 10.0.0.10 → app: both trusted, the client is left."""
    assert resolve("10.0.0.10", "1.2.3.4, 203.0.113.7, 10.1.2.3", PROXIES) == "203.0.113.7"


def test_only_trusted_addresses_means_the_left_most():
    assert resolve("10.0.0.10", "10.1.0.5, 10.1.0.6", PROXIES) == "10.1.0.5"


def test_a_malformed_entry_falls_back_to_the_proxy_not_to_the_clients_text():
    assert resolve("10.0.0.10", "1.2.3.4, not-an-ip", PROXIES) == "10.0.0.10"
    assert resolve("10.0.0.10", "", PROXIES) == "10.0.0.10"


def test_addresses_with_ports_brackets_and_mapped_ipv4_are_normalised():
    assert resolve("10.0.0.10", "203.0.113.7:51234", PROXIES) == "203.0.113.7"
    assert resolve("10.0.0.10", "[2001:db8::1]:443", PROXIES) == "2001:db8::1"
    assert resolve("::ffff:10.0.0.10", "203.0.113.7", PROXIES) == "203.0.113.7"
    assert resolve("fd00::1", "2001:db8::5", PROXIES) == "2001:db8::5"


def test_bad_proxy_lists_are_refused_naming_the_entry():
    with pytest.raises(ValueError, match="'10.0.0.300'"):
        parse_networks("10.0.0.1, 10.0.0.300")


def test_client_ip_reads_the_request_with_the_settings():
    factory = RequestFactory()
    request = factory.get("/", REMOTE_ADDR="10.0.0.10", HTTP_X_FORWARDED_FOR="203.0.113.7")
    with override_settings(HOTLINE_TRUSTED_PROXIES=PROXIES):
        assert client_ip(request) == "203.0.113.7"
    request = factory.get("/", REMOTE_ADDR="10.0.0.10", HTTP_X_FORWARDED_FOR="203.0.113.7")
    with override_settings(HOTLINE_TRUSTED_PROXIES=()):
        assert client_ip(request) == "10.0.0.10"
    # the name every adapter imports
    assert ratelimit.client_ip is client_ip
