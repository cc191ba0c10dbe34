"""Companies report their own outcomes: data requests, portal links, evidence, review."""
