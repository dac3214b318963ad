"""Forms of the web pages. They check the shape of the input; the services decide what is allowed."""
