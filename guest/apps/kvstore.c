/* SPDX-License-Identifier: MIT */
/*
 * kvstore: a small durable key-value store, the tenants' workload in the demo
 * (tools/demo.sh). A PV guest that serves line requests on its console and
 * keeps its data in a log on its disk (block ring, served by its device model).
 *
 * Console protocol (input through CONSOLEIO_read, output through printf; one
 * reply line per request line, always "kv <tag> ..."):
 *
 *   <tag> put <key> <value>   kv <tag> OK
 *   <tag> get <key>           kv <tag> VALUE <value>  |  kv <tag> NOTFOUND
 *   <tag> del <key>           kv <tag> OK             |  kv <tag> NOTFOUND
 *   <tag> count               kv <tag> COUNT <n>
 *   <tag> stats               kv <tag> STATS keys=<n> puts=<n> gets=<n> records=<n>
 *                               compactions=<n> dm_generation=<g> blk_resets=<n>
 *
 *   tag    1..16 chars of [A-Za-z0-9_-]
 *   key    1..32 chars of [A-Za-z0-9_.:-]
 *   value  1..100 printable non-space chars (0x21..0x7e)
 *   Tokens are separated by runs of spaces or tabs; a trailing CR is ignored;
 *   blank lines get no reply. Anything else gets "kv <tag> ERR <reason>", or
 *   "kv - ERR <reason>" when the line has no valid tag. A line longer than
 *   KV_LINE_MAX - 1 bytes is discarded up to its newline and answered
 *   "ERR line too long". A put of a new key when KV_MAX_KEYS keys are stored:
 *   "ERR full". A failed disk write: "ERR io <rc>" (rc a negative XENIA_E*),
 *   and the table in memory is unchanged.
 *   stats: keys stored; puts answered OK and gets answered since boot; records
 *   in the live log area; compactions since boot; shared->dm_generation;
 *   ring resets of the block frontend (blk_get_stats; blk_init makes one).
 *
 * Durability: a put or del is answered only after its record was written and
 * flushed (XENIA_BLKOP_FLUSH, when the backend offers XENIA_BLK_F_FLUSH), so an
 * acknowledged write survives a device model kill (the frontend resubmits:
 * requests are idempotent, io.h "Restart") and a domain restart.
 *
 * On-disk format (little endian; sectors of XENIA_BLK_SECTOR = 512 bytes):
 *
 *   sector 0, 1        superblock slots; generation g lives in slot g % 2
 *   sectors 2..7       reserved
 *   area 0             AREA_START .. AREA_START + area_records - 1
 *   area 1             AREA_START + area_records .. + 2 * area_records - 1
 *                      area_records = min((disk sectors - 8) / 2, AREA_MAX),
 *                      at least AREA_MIN (smaller disks are refused)
 *
 *   superblock: magic "XKVSTORE" u64 | version u32 (1) | crc32 u32 | generation
 *     u64 (>= 1) | live_area u32 (0/1) | area_records u32 | first_seq u64 (seq of
 *     the live area's record 0) | zero to 512 bytes. crc32 (IEEE 802.3, as zlib)
 *     over the 512 bytes with the crc field zero.
 *   record (one per sector): magic u32 "KVR1" | crc32 u32 | seq u64 | op u8
 *     (1 put, 2 del) | key_len u8 (1..32) | value_len u8 (put 1..100, del 0) |
 *     pad u8, u32 (0) | key[32] | value[100] | zero to 512 bytes; unused key and
 *     value bytes are zero.
 *
 * Recovery: the valid superblock slot (magic, version, crc, geometry that fits
 * the disk) with the highest generation names the live area; its records are
 * replayed from position 0 until the first one whose magic, crc, fields or seq
 * (first_seq + position) do not continue the log: a torn write ends the log,
 * and the next append overwrites it. No valid slot: the disk is formatted
 * (fresh). Appends go to the live area's next position with the next seq.
 *
 * Compaction (the live area is full): the live keys are written as records to
 * the other area, from position 0 with seqs from first_seq', and flushed; then
 * the superblock of generation g + 1 naming that area is written to the other
 * slot and flushed. A crash before that last write leaves the old area live
 * and intact: compaction never writes the live area.
 * Seqs are never reused across areas: first_seq' exceeds every valid seq that
 * may remain in the target area (boot scans the other area for its highest
 * seq), so a stale record beyond the live log's end never continues it.
 *
 * An append whose write or flush fails is invalidated (zero sector, flushed);
 * if that fails too, or a superblock write fails, the on-disk state is
 * uncertain and the store is "wedged": writes answer ERR io until a restart;
 * reads go on from memory (the last acknowledged state).
 *
 * Boot: blk_init (bounded by INIT_TIMEOUT_NS: a domain without a disk has a
 * device model that never connects the block ring), then one of
 *   kvstore: fresh disk (<S> sectors)
 *   kvstore: recovered <K> keys from <R> records (<S> sectors)
 * and "kvstore: ready". No disk: "kvstore: no disk: <rc>" and a crash
 * shutdown; an unreadable or too small disk: a message and a crash shutdown.
 *
 * Waiting: SCHEDOP_block on the console and control ports. The block port is
 * unmasked only during disk I/O, and the console and control ports are masked
 * then (their pending bits would make the frontend's waits return at once);
 * the console ring port (a dm restart raises it) is never used: masked.
 * The toolstack's shutdown request (control port) is obeyed at once.
 */
#include <xenia/iofront.h>

/* ---- limits ---------------------------------------------------------------- */
#define KV_MAX_KEYS   256u
#define TAG_MAX       16u
#define KEY_MAX       32u
#define VAL_MAX       100u
#define KV_LINE_MAX   256u      /* bytes of a line, newline excluded, plus one */
#define SECTOR        XENIA_BLK_SECTOR
#define AREA_START    8u        /* sectors */
#define AREA_MIN      512u      /* records per area: >= 2 * KV_MAX_KEYS */
#define AREA_MAX      16384u    /* 8 MiB per area: bounds the recovery scan */
#define CHUNK_RECS    (XENIA_BLK_MAX_LEN / SECTOR)   /* records per disk request */
#define INIT_TIMEOUT_NS (5000ull * 1000000ull)        /* bound of blk_init */

#define SB_MAGIC      0x45524f5453564b58ull   /* "XKVSTORE" */
#define SB_VERSION    1u
#define REC_MAGIC     0x3152564bu             /* "KVR1" */
#define OP_PUT        1u
#define OP_DEL        2u

_Static_assert(CHUNK_RECS >= KV_MAX_KEYS, "a compaction fits one request");
_Static_assert(AREA_MIN >= 2 * KV_MAX_KEYS, "a compacted area has room");

/* ---- on-disk structures (explicit padding, 512 bytes each) ---------------- */
struct kv_super {
    uint64_t magic;
    uint32_t version;
    uint32_t crc;
    uint64_t generation;
    uint32_t live_area;
    uint32_t area_records;
    uint64_t first_seq;
    uint8_t  zero[512 - 40];
};

struct kv_record {
    uint32_t magic;
    uint32_t crc;
    uint64_t seq;
    uint8_t  op;
    uint8_t  key_len;
    uint8_t  val_len;
    uint8_t  pad0;
    uint32_t pad1;
    char     key[KEY_MAX];
    char     val[VAL_MAX];
    uint8_t  zero[512 - 24 - KEY_MAX - VAL_MAX];
};

_Static_assert(sizeof(struct kv_super) == SECTOR, "superblock is one sector");
_Static_assert(sizeof(struct kv_record) == SECTOR, "record is one sector");

/* ========================================================================== */
/* Pure part: checksums, encoders, validators, the line parser, the table.    */
/* No hypercalls below this line until the "I/O" part.                         */
/* ========================================================================== */

static uint32_t crc_table[256];

/* crc32_init - the reflected CRC-32 table (polynomial 0xEDB88320, IEEE 802.3). */
static void crc32_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

/* crc32 - zlib's crc32(0, p, n) of n bytes. */
static uint32_t crc32(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint32_t c = 0xffffffffu;

    for (size_t i = 0; i < n; i++)
        c = crc_table[(c ^ b[i]) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

/* crc of a 512-byte structure whose crc field (at crc_off) counts as zero. */
static uint32_t sector_crc(const void *sec, size_t crc_off)
{
    static uint8_t tmp[SECTOR];

    memcpy(tmp, sec, SECTOR);
    memset(tmp + crc_off, 0, sizeof(uint32_t));
    return crc32(tmp, SECTOR);
}

static int all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;

    for (size_t i = 0; i < n; i++)
        if (b[i] != 0)
            return 0;
    return 1;
}

static int is_tag_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
}

static int is_key_char(char c)
{
    return is_tag_char(c) || c == '.' || c == ':';
}

static int is_val_char(char c)
{
    return c >= 0x21 && c <= 0x7e;
}

/* valid_chars - 1 if n is in 1..max and every one of the n bytes at s passes ok(). */
static int valid_chars(const char *s, size_t n, size_t max, int (*ok)(char))
{
    if (n < 1 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!ok(s[i]))
            return 0;
    return 1;
}

/* valid_tag / valid_key / valid_val - length and charset of n bytes at s. */
static int valid_tag(const char *s, size_t n) { return valid_chars(s, n, TAG_MAX, is_tag_char); }
static int valid_key(const char *s, size_t n) { return valid_chars(s, n, KEY_MAX, is_key_char); }
static int valid_val(const char *s, size_t n) { return valid_chars(s, n, VAL_MAX, is_val_char); }

/* Disk geometry: records per area for a disk of `sectors`, or 0 if too small. */
static uint32_t geometry_area_records(uint64_t sectors)
{
    uint64_t n;

    if (sectors < AREA_START + 2ull * AREA_MIN)
        return 0;
    n = (sectors - AREA_START) / 2;
    return n > AREA_MAX ? AREA_MAX : (uint32_t)n;
}

static uint64_t area_sector(uint32_t area_records, uint32_t area, uint32_t pos)
{
    return AREA_START + (uint64_t)area * area_records + pos;
}

/* super_encode - fill *sb (all 512 bytes) and its crc. */
static void super_encode(struct kv_super *sb, uint64_t gen, uint32_t live, uint32_t area_records,
                         uint64_t first_seq)
{
    memset(sb, 0, sizeof(*sb));
    sb->magic = SB_MAGIC;
    sb->version = SB_VERSION;
    sb->generation = gen;
    sb->live_area = live;
    sb->area_records = area_records;
    sb->first_seq = first_seq;
    sb->crc = sector_crc(sb, offsetof(struct kv_super, crc));
}

/*
 * super_valid - is the sector at sb a superblock we wrote, whose areas fit a
 * disk of disk_sectors? Checks magic, version, crc, zero padding, live_area,
 * area_records (AREA_MIN..AREA_MAX), generation and first_seq >= 1.
 */
static int super_valid(const struct kv_super *sb, uint64_t disk_sectors)
{
    if (sb->magic != SB_MAGIC || sb->version != SB_VERSION)
        return 0;
    if (sb->crc != sector_crc(sb, offsetof(struct kv_super, crc)))
        return 0;
    if (!all_zero(sb->zero, sizeof(sb->zero)) || sb->live_area > 1)
        return 0;
    if (sb->area_records < AREA_MIN || sb->area_records > AREA_MAX)
        return 0;
    if (AREA_START + 2ull * sb->area_records > disk_sectors)
        return 0;
    return sb->generation >= 1 && sb->first_seq >= 1;
}

/* record_encode - a put (val != NULL) or del record; key/val already valid. */
static void record_encode(struct kv_record *r, uint64_t seq, const char *key, size_t klen,
                          const char *val, size_t vlen)
{
    memset(r, 0, sizeof(*r));
    r->magic = REC_MAGIC;
    r->seq = seq;
    r->op = val != NULL ? OP_PUT : OP_DEL;
    r->key_len = (uint8_t)klen;
    memcpy(r->key, key, klen);
    if (val != NULL) {
        r->val_len = (uint8_t)vlen;
        memcpy(r->val, val, vlen);
    }
    r->crc = sector_crc(r, offsetof(struct kv_record, crc));
}

/*
 * record_valid - is the sector at r a well-formed record (magic, crc, op,
 * lengths and charsets of key and value, every unused byte zero)? The seq is
 * the caller's to check.
 */
static int record_valid(const struct kv_record *r)
{
    if (r->magic != REC_MAGIC || r->crc != sector_crc(r, offsetof(struct kv_record, crc)))
        return 0;
    if (r->pad0 != 0 || r->pad1 != 0 || !all_zero(r->zero, sizeof(r->zero)))
        return 0;
    if (!valid_key(r->key, r->key_len) || !all_zero(r->key + r->key_len, KEY_MAX - r->key_len))
        return 0;
    if (r->op == OP_DEL)
        return r->val_len == 0 && all_zero(r->val, VAL_MAX);
    if (r->op != OP_PUT || !valid_val(r->val, r->val_len))
        return 0;
    return all_zero(r->val + r->val_len, VAL_MAX - r->val_len);
}

/* ---- the table: KV_MAX_KEYS entries, unordered, linear search ------------- */
struct kv_entry {
    uint8_t klen, vlen;
    char key[KEY_MAX + 1];
    char val[VAL_MAX + 1];
};

static struct kv_entry table[KV_MAX_KEYS];
static unsigned nkeys;

/* Index of key in table, or -1. */
static int table_find(const char *key, size_t klen)
{
    for (unsigned i = 0; i < nkeys; i++)
        if (table[i].klen == klen && memcmp(table[i].key, key, klen) == 0)
            return (int)i;
    return -1;
}

/* Would a put of key need a new slot that is not there? */
static int table_put_would_overflow(const char *key, size_t klen)
{
    return table_find(key, klen) < 0 && nkeys >= KV_MAX_KEYS;
}

/* table_put - insert or replace; returns 0 or -XENIA_ENOSPC (table full). */
static int table_put(const char *key, size_t klen, const char *val, size_t vlen)
{
    int i = table_find(key, klen);
    struct kv_entry *e;

    if (i < 0) {
        if (nkeys >= KV_MAX_KEYS)
            return -XENIA_ENOSPC;
        i = (int)nkeys++;
    }
    e = &table[i];
    memset(e, 0, sizeof(*e));
    e->klen = (uint8_t)klen;
    e->vlen = (uint8_t)vlen;
    memcpy(e->key, key, klen);
    memcpy(e->val, val, vlen);
    return 0;
}

/* table_del - remove key (the last entry fills its slot); 0 or -XENIA_ENOENT. */
static int table_del(const char *key, size_t klen)
{
    int i = table_find(key, klen);

    if (i < 0)
        return -XENIA_ENOENT;
    nkeys--;
    if ((unsigned)i != nkeys)
        table[i] = table[nkeys];
    memset(&table[nkeys], 0, sizeof(table[nkeys]));
    return 0;
}

/* ---- the line parser ------------------------------------------------------- */
enum kv_cmd { CMD_PUT, CMD_GET, CMD_DEL, CMD_COUNT, CMD_STATS };

struct kv_req {
    char tag[TAG_MAX + 1];     /* "-" when the line has no valid tag */
    enum kv_cmd cmd;
    size_t klen, vlen;
    char key[KEY_MAX + 1];
    char val[VAL_MAX + 1];
};

enum { PARSE_OK = 0, PARSE_BLANK = 1, PARSE_ERR = -1 };

struct tok {
    const char *p;
    size_t n;
};

static int tok_is(const struct tok *t, const char *word)
{
    size_t n = strlen(word);

    return t->n == n && memcmp(t->p, word, n) == 0;
}

/*
 * kv_parse - decode one request line (len bytes at line, newline excluded; it
 * may hold any byte, NUL included). Returns PARSE_OK with *req filled,
 * PARSE_BLANK for a line of only spaces/tabs/CR, or PARSE_ERR with *reason
 * set (req->tag is the line's tag, or "-" if it has none that is valid).
 */
static int kv_parse(const char *line, size_t len, struct kv_req *req, const char **reason)
{
    struct tok t[5];
    size_t i = 0;
    unsigned nt = 0;

    memset(req, 0, sizeof(*req));
    req->tag[0] = '-';
    if (len > 0 && line[len - 1] == '\r')
        len--;
    while (i < len) {
        size_t s;

        while (i < len && (line[i] == ' ' || line[i] == '\t'))
            i++;
        if (i == len)
            break;
        s = i;
        while (i < len && line[i] != ' ' && line[i] != '\t')
            i++;
        if (nt == 5) {
            nt++;   /* more than five tokens: counted, not kept */
            break;
        }
        t[nt].p = line + s;
        t[nt].n = i - s;
        nt++;
    }
    if (nt == 0)
        return PARSE_BLANK;
    if (!valid_tag(t[0].p, t[0].n)) {
        *reason = "bad tag";
        return PARSE_ERR;
    }
    memcpy(req->tag, t[0].p, t[0].n);
    req->tag[t[0].n] = 0;
    if (nt < 2) {
        *reason = "missing command";
        return PARSE_ERR;
    }
    if (tok_is(&t[1], "put")) {
        req->cmd = CMD_PUT;
        if (nt != 4) {
            *reason = "usage: put <key> <value>";
            return PARSE_ERR;
        }
    } else if (tok_is(&t[1], "get") || tok_is(&t[1], "del")) {
        req->cmd = tok_is(&t[1], "get") ? CMD_GET : CMD_DEL;
        if (nt != 3) {
            *reason = req->cmd == CMD_GET ? "usage: get <key>" : "usage: del <key>";
            return PARSE_ERR;
        }
    } else if (tok_is(&t[1], "count") || tok_is(&t[1], "stats")) {
        req->cmd = tok_is(&t[1], "count") ? CMD_COUNT : CMD_STATS;
        if (nt != 2) {
            *reason = "no arguments expected";
            return PARSE_ERR;
        }
        return PARSE_OK;
    } else {
        *reason = "unknown command";
        return PARSE_ERR;
    }
    if (!valid_key(t[2].p, t[2].n)) {
        *reason = "bad key";
        return PARSE_ERR;
    }
    req->klen = t[2].n;
    memcpy(req->key, t[2].p, t[2].n);
    if (req->cmd == CMD_PUT) {
        if (!valid_val(t[3].p, t[3].n)) {
            *reason = "bad value";
            return PARSE_ERR;
        }
        req->vlen = t[3].n;
        memcpy(req->val, t[3].p, t[3].n);
    }
    return PARSE_OK;
}

/* ========================================================================== */
/* I/O part: the log on disk, the console, the main loop.                      */
/* ========================================================================== */

static struct {
    uint64_t disk_sectors;
    uint32_t area_records;
    uint32_t live;          /* live area */
    uint64_t generation;    /* of the live superblock */
    uint64_t first_seq;     /* seq of the live area's record 0 */
    uint32_t tail;          /* records in the live area */
    uint64_t seq_floor;     /* > every valid seq that may be in the other area */
    int flush;              /* the backend offers XENIA_BLK_F_FLUSH */
    long wedged;            /* 0, or the error that left the disk state uncertain */
    uint64_t puts, gets, compactions;
} S;

/* Disk buffer: CHUNK_RECS sectors (one request's worth), for replay and compaction. */
static struct kv_record chunk[CHUNK_RECS];
static struct kv_record one_rec;

static uint32_t port_console, port_control, port_blk;

/* Ports during disk I/O: only the block port wakes SCHEDOP_block. */
static void io_begin(void)
{
    xenia_evtchn_mask(port_console);
    xenia_evtchn_mask(port_control);
    xenia_evtchn_unmask(port_blk);
}

/* Ports while idle: console and control wake us; block events are dropped
 * (the frontend checks the ring and dm_generation on its next request). */
static void io_end(void)
{
    xenia_evtchn_mask(port_blk);
    (void)xenia_evtchn_test_and_clear(port_blk);
    xenia_evtchn_unmask(port_console);
    xenia_evtchn_unmask(port_control);
}

/* Write then flush (if offered). 0 or a negative XENIA_E*. */
static int write_durable(uint64_t sector, const void *buf, size_t len)
{
    int rc;

    io_begin();
    rc = blk_write(sector, buf, len);
    if (rc == 0 && S.flush)
        rc = blk_flush();
    io_end();
    return rc;
}

static int read_sectors(uint64_t sector, void *buf, size_t len)
{
    int rc;

    io_begin();
    rc = blk_read(sector, buf, len);
    io_end();
    return rc;
}

/*
 * scan_max_seq - highest seq of any well-formed record in `area` (0 if none).
 * Returns 0 or a read error.
 */
static int scan_max_seq(uint32_t area, uint64_t *max)
{
    *max = 0;
    for (uint32_t pos = 0; pos < S.area_records; pos += CHUNK_RECS) {
        uint32_t n = S.area_records - pos < CHUNK_RECS ? S.area_records - pos : CHUNK_RECS;
        int rc = read_sectors(area_sector(S.area_records, area, pos), chunk, (size_t)n * SECTOR);

        if (rc < 0)
            return rc;
        for (uint32_t i = 0; i < n; i++)
            if (record_valid(&chunk[i]) && chunk[i].seq > *max)
                *max = chunk[i].seq;
    }
    return 0;
}

/*
 * replay - apply the live area's records from position 0 while they continue
 * the log (well-formed, seq == first_seq + position). Sets S.tail. A put that
 * would overflow the table (only a disk we did not write holds one) is
 * skipped; *skipped counts them. Returns 0 or a read error.
 */
static int replay(unsigned *skipped)
{
    *skipped = 0;
    S.tail = 0;
    for (uint32_t pos = 0; pos < S.area_records; pos += CHUNK_RECS) {
        uint32_t n = S.area_records - pos < CHUNK_RECS ? S.area_records - pos : CHUNK_RECS;
        int rc = read_sectors(area_sector(S.area_records, S.live, pos), chunk, (size_t)n * SECTOR);

        if (rc < 0)
            return rc;
        for (uint32_t i = 0; i < n; i++) {
            const struct kv_record *r = &chunk[i];

            if (!record_valid(r) || r->seq != S.first_seq + pos + i)
                return 0;
            if (r->op == OP_PUT) {
                if (table_put(r->key, r->key_len, r->val, r->val_len) < 0)
                    (*skipped)++;
            } else {
                (void)table_del(r->key, r->key_len);
            }
            S.tail++;
        }
    }
    return 0;
}

/* Write superblock generation gen (slot gen % 2) and flush. */
static int write_super(uint64_t gen, uint32_t live, uint64_t first_seq)
{
    static struct kv_super sb;

    super_encode(&sb, gen, live, S.area_records, first_seq);
    return write_durable(gen % 2, &sb, sizeof(sb));
}

/*
 * compact - write the table to the other area, flush, switch the superblock.
 * On success the other area is live with nkeys records. On a record write
 * error nothing changed (the old area stays live); on a superblock write
 * error the store is wedged. Returns 0 or a negative XENIA_E*.
 */
static int compact(void)
{
    uint32_t other = S.live ^ 1u;
    uint64_t first = S.first_seq + S.tail;
    int rc;

    if (first < S.seq_floor)
        first = S.seq_floor;
    for (unsigned i = 0; i < nkeys; i++)
        record_encode(&chunk[i], first + i, table[i].key, table[i].klen, table[i].val,
                      table[i].vlen);
    /* Whatever happens next, these seqs may now be in the other area. */
    S.seq_floor = first + nkeys;
    rc = write_durable(area_sector(S.area_records, other, 0), chunk, (size_t)nkeys * SECTOR);
    if (rc < 0)
        return rc;
    rc = write_super(S.generation + 1, other, first);
    if (rc < 0) {
        S.wedged = rc;
        return rc;
    }
    S.generation++;
    S.live = other;
    S.first_seq = first;
    S.tail = nkeys;
    S.seq_floor = 0;   /* the old area's seqs are all below `first` */
    S.compactions++;
    return 0;
}

/*
 * log_append - make a put (val != NULL) or del durable: compact first if the
 * live area is full, write the record at the tail, flush. 0 or a negative
 * XENIA_E* (the table must then stay unchanged).
 */
static int log_append(const char *key, size_t klen, const char *val, size_t vlen)
{
    uint64_t sector;
    int rc;

    if (S.wedged)
        return (int)S.wedged;
    if (S.tail >= S.area_records) {
        rc = compact();
        if (rc < 0)
            return rc;
    }
    sector = area_sector(S.area_records, S.live, S.tail);
    record_encode(&one_rec, S.first_seq + S.tail, key, klen, val, vlen);
    rc = write_durable(sector, &one_rec, sizeof(one_rec));
    if (rc < 0) {
        /* The record may or may not be on disk: overwrite it with zeros so
         * that the log ends before it; if even that fails, stop writing. */
        memset(&one_rec, 0, sizeof(one_rec));
        if (write_durable(sector, &one_rec, sizeof(one_rec)) < 0)
            S.wedged = rc;
        return rc;
    }
    S.tail++;
    return 0;
}

/*
 * store_open - find the live superblock and replay, or format a fresh disk.
 * Prints the boot line. Returns 0 or a negative XENIA_E* (with a message).
 */
static int store_open(void)
{
    static struct kv_super sb[2];
    int best = -1, rc;
    unsigned skipped = 0;
    uint64_t max_other = 0;

    S.disk_sectors = blk_sectors();
    S.flush = (blk_features() & XENIA_BLK_F_FLUSH) != 0;
    rc = read_sectors(0, sb, sizeof(sb));
    if (rc < 0) {
        printf("kvstore: cannot read the superblock: %d\n", rc);
        return rc;
    }
    for (int i = 0; i < 2; i++)
        if (super_valid(&sb[i], S.disk_sectors) &&
            (best < 0 || sb[i].generation > sb[best].generation))
            best = i;
    if (best < 0) {
        uint64_t max0, max1;

        S.area_records = geometry_area_records(S.disk_sectors);
        if (S.area_records == 0) {
            printf("kvstore: disk too small (%llu sectors, need %u)\n",
                   (unsigned long long)S.disk_sectors, AREA_START + 2 * AREA_MIN);
            return -XENIA_ENOSPC;
        }
        /* Old records may be anywhere: start the log above all of them. */
        if ((rc = scan_max_seq(0, &max0)) < 0 || (rc = scan_max_seq(1, &max1)) < 0) {
            printf("kvstore: cannot read the disk: %d\n", rc);
            return rc;
        }
        S.live = 0;
        S.generation = 1;
        S.first_seq = (max0 > max1 ? max0 : max1) + 1;
        S.tail = 0;
        S.seq_floor = S.first_seq;
        rc = write_super(S.generation, S.live, S.first_seq);
        if (rc < 0) {
            printf("kvstore: cannot format the disk: %d\n", rc);
            return rc;
        }
        printf("kvstore: fresh disk (%llu sectors)\n", (unsigned long long)S.disk_sectors);
        return 0;
    }
    S.area_records = sb[best].area_records;
    S.live = sb[best].live_area;
    S.generation = sb[best].generation;
    S.first_seq = sb[best].first_seq;
    if ((rc = replay(&skipped)) < 0 || (rc = scan_max_seq(S.live ^ 1u, &max_other)) < 0) {
        printf("kvstore: cannot read the log: %d\n", rc);
        return rc;
    }
    S.seq_floor = max_other + 1;
    if (skipped)
        printf("kvstore: %u records skipped (table full)\n", skipped);
    printf("kvstore: recovered %u keys from %u records (%llu sectors)\n", nkeys, S.tail,
           (unsigned long long)S.disk_sectors);
    return 0;
}

/* ---- requests ---------------------------------------------------------------- */
static void reply_err(const char *tag, const char *reason)
{
    printf("kv %s ERR %s\n", tag, reason);
}

static void serve(const struct kv_req *q)
{
    int i, rc;

    switch (q->cmd) {
    case CMD_PUT:
        if (table_put_would_overflow(q->key, q->klen)) {
            reply_err(q->tag, "full");
            return;
        }
        rc = log_append(q->key, q->klen, q->val, q->vlen);
        if (rc < 0) {
            printf("kv %s ERR io %d\n", q->tag, rc);
            return;
        }
        (void)table_put(q->key, q->klen, q->val, q->vlen);   /* cannot fail: checked */
        S.puts++;
        printf("kv %s OK\n", q->tag);
        return;
    case CMD_GET:
        S.gets++;
        i = table_find(q->key, q->klen);
        if (i < 0)
            printf("kv %s NOTFOUND\n", q->tag);
        else
            printf("kv %s VALUE %s\n", q->tag, table[i].val);
        return;
    case CMD_DEL:
        if (table_find(q->key, q->klen) < 0) {
            printf("kv %s NOTFOUND\n", q->tag);
            return;
        }
        rc = log_append(q->key, q->klen, NULL, 0);
        if (rc < 0) {
            printf("kv %s ERR io %d\n", q->tag, rc);
            return;
        }
        (void)table_del(q->key, q->klen);
        printf("kv %s OK\n", q->tag);
        return;
    case CMD_COUNT:
        printf("kv %s COUNT %u\n", q->tag, nkeys);
        return;
    case CMD_STATS: {
        struct blk_stats bs;

        blk_get_stats(&bs);
        printf("kv %s STATS keys=%u puts=%llu gets=%llu records=%u compactions=%llu "
               "dm_generation=%u blk_resets=%llu\n", q->tag, nkeys,
               (unsigned long long)S.puts, (unsigned long long)S.gets, S.tail,
               (unsigned long long)S.compactions, xenia_shared()->dm_generation,
               (unsigned long long)bs.resets);
        return;
    }
    }
}

static void handle_line(const char *line, size_t len)
{
    struct kv_req q;
    const char *reason = "bad request";
    int rc = kv_parse(line, len, &q, &reason);

    if (rc == PARSE_BLANK)
        return;
    if (rc == PARSE_ERR) {
        reply_err(q.tag, reason);
        return;
    }
    serve(&q);
}

/* ---- console input: bounded line assembly ----------------------------------- */
static char line_buf[KV_LINE_MAX];
static size_t line_len;
static int discarding;                /* inside an overlong line */
static char discard_tag[TAG_MAX + 1]; /* its tag, or "-" */

/* The tag an overlong line starts with (its first token, if valid), or "-". */
static void remember_tag(void)
{
    size_t i = 0, s, n;

    while (i < line_len && (line_buf[i] == ' ' || line_buf[i] == '\t'))
        i++;
    s = i;
    while (i < line_len && line_buf[i] != ' ' && line_buf[i] != '\t')
        i++;
    n = i - s;
    if (i < line_len && valid_tag(line_buf + s, n)) {
        memcpy(discard_tag, line_buf + s, n);
        discard_tag[n] = 0;
    } else {
        discard_tag[0] = '-';
        discard_tag[1] = 0;
    }
}

/* feed - n bytes of console input: complete lines are served in order. */
static void feed(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = p[i];

        if (discarding) {
            if (c == '\n') {
                discarding = 0;
                reply_err(discard_tag, "line too long");
            }
            continue;
        }
        if (c == '\n') {
            handle_line(line_buf, line_len);
            line_len = 0;
            continue;
        }
        if (line_len == KV_LINE_MAX - 1) {
            remember_tag();
            discarding = 1;
            line_len = 0;
            continue;
        }
        line_buf[line_len++] = c;
    }
}

static void check_control(void)
{
    uint32_t req = xenia_shared()->shutdown_request;

    if (req == 0)
        return;
    printf("kvstore: shutdown requested (%s)\n",
           req - 1 == XENIA_SHUTDOWN_reboot ? "reboot" : "poweroff");
    xenia_shutdown(req - 1);
}

static void serve_forever(void)
{
    static char buf[512];

    for (;;) {
        long n;

        (void)xenia_block(0);
        if (xenia_evtchn_test_and_clear(port_control))
            check_control();
        if (!xenia_evtchn_test_and_clear(port_console))
            continue;
        while ((n = xenia_console_read(buf, sizeof(buf))) > 0) {
            feed(buf, (size_t)n);
            if (xenia_evtchn_test_and_clear(port_control))
                check_control();
        }
    }
}

int main(void)
{
    const struct xenia_start_info *si = xenia_start_info();
    int rc;

    crc32_init();
    port_console = si->console_port;
    port_control = si->control_port;
    port_blk = si->blk_port;
    /* The console ring is not ours to serve: its events must not wake us. */
    if (si->cons_ring_port != 0)
        xenia_evtchn_mask(si->cons_ring_port);
    /* A domain without a disk still has a device model, which never connects
     * the block ring: give up after INIT_TIMEOUT_NS, not the default 30 s. */
    blk_set_timeout(INIT_TIMEOUT_NS);
    io_begin();
    rc = blk_init();
    io_end();
    blk_set_timeout(0);
    if (rc < 0) {
        printf("kvstore: no disk: %d\n", rc);
        xenia_shutdown(XENIA_SHUTDOWN_crash);
    }
    if (store_open() < 0)
        xenia_shutdown(XENIA_SHUTDOWN_crash);
    printf("kvstore: ready\n");
    xenia_console_flush();
    serve_forever();
    return 0;
}
