"""Writing plan files: canonical layout (``fmt``), new nodes in their place (``scaffold``), id
renames and the JSON Schema for editors. Every write keeps the author's comments and layout."""
