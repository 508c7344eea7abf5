package serve

import "time"

func (s *Server) settleInstance(c *call, id string, age time.Duration) {}

func (s *Server) findTransient() {}
