"""Document data to files: the Excel forms (`forms`), the Word documents (`word`), and named output files
(`outputs`)."""
