"""A list of a report too long to hold in memory, read from the database in chunks."""

CHUNK_SIZE = 2000


class Rows:
    """A list too long to hold in memory (the actions annex, the good practices, an
    objective's action titles): each iteration reads the database again, in chunks of
    CHUNK_SIZE rows. `convert` turns a chunk of database rows into the report's items;
    `len()` is the number of items, counted beforehand in SQL."""

    def __init__(self, queryset, total, convert=list):
        self.queryset = queryset
        self.total = total
        self.convert = convert

    def __len__(self):
        return self.total

    def __iter__(self):
        chunk = []
        for row in self.queryset.iterator(chunk_size=CHUNK_SIZE):
            chunk.append(row)
            if len(chunk) == CHUNK_SIZE:
                yield from self.convert(chunk)
                chunk = []
        if chunk:
            yield from self.convert(chunk)

    def head(self, count):
        """The first `count` items, in one query."""
        return list(self.convert(list(self.queryset[:count]))) if count > 0 else []
