"""Training records (issue 4): the store, Excel import, assessment, reports and the paperwork made from them."""
