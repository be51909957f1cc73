/* verfix test data: stand-in for a performance counter header (invented content) */
/* Exchange Server 5.5 SP3 example folder */
#define DSA_COUNTER_OBJECT 0
#define DSA_COUNTER_READS 2
