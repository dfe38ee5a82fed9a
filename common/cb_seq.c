/* cb_seq: sequence numbers within SQLite's range (see cb_seq.h). */
#include "cb_seq.h"

int
cb_seq_valid(uint64_t seq)
{
	return seq <= CB_SEQ_MAX;
}

int
cb_seq_next(uint64_t seq, uint64_t *next)
{
	if (seq >= CB_SEQ_MAX)
		return -1;
	*next = seq + 1;
	return 0;
}
