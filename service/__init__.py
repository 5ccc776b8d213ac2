"""wenshu (社教文书): document automation for a township community-education programme.

Pipeline: request -> validated model (service.models) -> render (service.render) -> bundle.
"""
