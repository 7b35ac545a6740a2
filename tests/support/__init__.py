"""What the tests share: platform doubles, document factories, process runners."""
