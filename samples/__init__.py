"""Sample sets and their tooling, outside the product package: `samples/<set>/` holds a set's data files,
`synthetic.py` generates a set's records from its `records/dataset.yaml`, `loader.py` loads a set into the records
store, `cli.py` is `wenshu load`."""
