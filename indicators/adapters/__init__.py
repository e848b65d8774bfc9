"""Format adapters: each reads one kind of file as a stream and yields the same rows
(`indicators.adapters.base.ValueRow`) or rejections (`RowProblem`), so one import service
handles every format."""
