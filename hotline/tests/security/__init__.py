"""The security suite (issue 15): brute force, oversized and adversarial input on every
entrance, formula injection in exports, headers, redirects, pagination, stored files and
the API documentation — each test names the hole it keeps shut."""
