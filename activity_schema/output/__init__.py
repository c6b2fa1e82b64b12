"""Turn checked rows into upload bodies, and put them on disk so that nothing is half-written.

- :mod:`.plan`: dedupe, reject oversized records and cut the rest into parts;
- :mod:`.encode`: UTF-8 JSON arrays or RFC 4180 CSV bodies, no file I/O;
- :mod:`.formulas`: values a spreadsheet would run as formulas, found and defused;
- :mod:`.write`: a plan written into an output folder, or one document to a stream;
- :mod:`.folder` and :mod:`.durable`: one writer at a time, atomic writes and the swap
  that commits a whole run;
- :mod:`.manifest`: ``manifest.json`` as the uploader reads it.
"""
