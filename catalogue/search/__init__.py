"""The catalogue's search, in one room.

Text: ``words`` (normalisation, word forms, web-search syntax), ``text_matching`` (matching,
ranking, snippets and spelling corrections in the database), ``text_engines`` (the interface
the search asks, and the engines behind it), ``indexing`` (each opportunity's search document
and the change log, kept current), ``suggestions`` (search as you type).

Facets: ``facets`` and ``choice_facets`` (what can be filtered and counted), ``facet_index``
(the in-memory index that filters and counts), ``filtering`` (the masks a search applies),
``facet_counts``, ``ordering``, and ``results`` (``opportunity_search``: one page of results
with its facets); ``filter_chips`` turns a result into the page's active-filter chips.
"""
