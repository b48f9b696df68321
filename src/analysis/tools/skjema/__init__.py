"""Status forms out to the municipalities and their answers back (`ehelse skjema`).

``write`` makes one form, ``prefill`` decides what goes into it, ``make`` writes the forms of
a run with the register of forms sent, ``register`` catalogues returned forms, and ``status``
tracks the answers and lists the conflicts from the processed tables. The form's layout and
its reading belong to the ``skjema`` source kind (``analysis.ingest.skjema_layout``).
"""
