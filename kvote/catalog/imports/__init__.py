"""The supplier's catalogue and customer price lists from its own systems (issue 15).

A file (CSV, XLSX) or JSON rows go through four steps, each in its own module:

- `reading`: the file as a stream of rows (column -> text, with the row number), in bounded
  memory; a file that cannot be read at all is refused before any row is read.
- `cells`: the one reading of a cell (a price, a whole number, a date, yes/no, a colour code,
  clean text within its column's length), shared by both kinds.
- `catalogue` and `price_lists`: every row checked and compared with the database, giving a
  `Plan`: the counts, the first changes of each kind, every bad row, the fingerprint of what
  the plan read, and the writes it would make. The preview keeps the plan's summary; the apply
  makes the plan again from the same file inside its transaction and writes it (`writing`).
- `services` (start, preview, apply, the jobs of big files) and `selectors` (access, history,
  progress) are the interface of the back office and the API; `exports` gives the catalogue and
  the price lists back in exactly the import's columns.
"""
