"""Language tools every stage shares: sentences, words and stems, keyphrases, topic terms."""
