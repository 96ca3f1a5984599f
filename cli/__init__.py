"""The `pressroom` command line: a shell over the domain rooms."""
