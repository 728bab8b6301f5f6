# shellcheck shell=bash
# The directory generator of bench/: SQL that fills the seed layout's empty tables
# (config/sql/mariadb-source.sql: sync_groups, sync_users, sync_users_groups_rel) inside a
# MariaDB server, from its sequence engine (seq_1_to_N), so that nothing crosses the client
# connection but the statements: 1,000,000 users load in about half a minute here.
#
# Deterministic by seed: every attribute is a function of (seed, row number) through CRC32,
# so the same parameters give byte-identical tables on any server, in any chunking.
#
#   bench_generator_sql USERS GROUPS DEPTH PER_USER BIG_GROUPS SEED | mariadb hr
#
# What it makes:
#  - GROUPS groups in a tree at most DEPTH levels deep: the smallest fan-out that fits them
#    (a parent's id is below its children's, so parents can be written first); group 1,
#    the root, is "Acme Corporation"; names from 16 departments in five scripts plus the id;
#  - USERS users: userName user<N> (bench/scim-serve and bench/lib/scim_requests.lua pick
#    users by it), given and family names from pools of 40 with accents, Cyrillic, Greek,
#    CJK, apostrophes and a few long compound names (up to 60 bytes); NULL given name 1 in
#    50, NULL e-mail 1 in 25, NULL title 1 in 13, NULL employee number 1 in 17; 9 in 10
#    active; updated_at in 2025 (drawn too: no clock in the data);
#  - PER_USER memberships per user in groups drawn by hash (a collision makes one fewer);
#  - BIG_GROUPS large groups, ids 2 .. BIG_GROUPS + 1 (the root's first children): big group b
#    has every user whose id is b modulo 10, one user in ten (100,000 members at 1,000,000
#    users), besides the members drawn by hash.

# The smallest fan-out for which GROUPS groups fit into DEPTH levels (heap-numbered tree).
bench_generator_fanout() {
    local groups=$1 depth=$2 fanout=1 capacity level width
    ((groups <= 1)) && { echo 1; return; }
    while :; do
        fanout=$((fanout + 1))
        capacity=0 width=1
        for ((level = 0; level < depth; level++)); do
            capacity=$((capacity + width))
            ((capacity >= groups)) && { echo "$fanout"; return; }
            width=$((width * fanout))
        done
    done
}

bench_generator_sql() {
    local users=$1 groups=$2 depth=$3 per_user=$4 big=$5 seed=$6 chunk=200000 from to fanout
    fanout=$(bench_generator_fanout "$groups" "$depth")
    cat <<SQL
INSERT INTO sync_groups (id, name, parent_id)
SELECT seq,
    IF(seq = 1, 'Acme Corporation', CONCAT(ELT(1 + CRC32(CONCAT($seed, ':g:', seq)) % 16,
        'Engineering', 'Sales', 'Support', 'Finance', 'Ressources humaines', 'Vertrieb', '営業部',
        'Платформа', 'Marketing', 'Legal & Compliance', 'Opérations', 'Research and Development',
        'Customer Success', 'Qualitätssicherung', 'Data Science', 'Ομάδα Προϊόντος'), ' ', seq)),
    IF(seq = 1, NULL, (seq - 2) DIV $fanout + 1)
FROM seq_1_to_$groups;
SQL
    for ((from = 1; from <= users; from += chunk)); do
        to=$((from + chunk - 1 < users ? from + chunk - 1 : users))
        # h and v: 32 bits of hash each per user; each attribute takes its own digits of them.
        cat <<SQL
INSERT INTO sync_users (id, username, first_name, last_name, email, job_title, employee_number, is_active, updated_at)
SELECT seq, CONCAT('user', seq),
    IF(v % 50 = 0, NULL, ELT(1 + h % 40,
        'Alice', 'Bob', 'Chloé', 'Dmitri', 'Emma', 'François', 'Grace', 'Hiroshi', 'Inès', 'José',
        'Kai', 'Łucja', 'María José', 'Nguyễn Văn', 'Olivia', 'Pádraig', 'Quentin', 'Rūta',
        'Søren', 'Tomáš', 'Ümit', 'Valentina', 'Wei', 'Xiomara', 'Yusuf', 'Zoë', 'Анастасия',
        'Δημήτρης', '美咲', '민준', 'Aleksandra-Katarzyna', 'Jean-Baptiste', 'Siobhán', 'Björn',
        'Ana Carolina', 'Mohammed', 'Priya', 'Kwame', 'Ingrid', 'Mateo')),
    ELT(1 + h DIV 40 % 40,
        'Smith', 'Müller', 'García', 'Øster', 'Nguyen', 'O''Brien', 'Kowalski', 'Rossi', 'Tanaka',
        'Dubois', 'Jensen', 'Fernández', 'Schäfer', 'Ivanova', 'Papadopoulos', 'Yılmaz', 'Kim',
        'Li', 'Novák', 'Van der Berg', 'D''Angelo', 'Żółkiewski', 'Smirnov', 'Kovačević',
        'García-Fernández de la Vega y Montoya', 'Wolfeschlegelsteinhausenbergerdorff', 'Andersson',
        'Okafor', 'Haddad', 'Björklund', 'Lefèvre', 'Ó Súilleabháin', 'Иванов', 'Σταματόπουλος',
        '佐藤', '박', 'Mac Giolla Phádraig', 'de Souza', 'Nakamura', 'Brown'),
    IF(h DIV 1600 % 25 = 0, NULL, CONCAT('user', seq, '@', ELT(1 + h DIV 40000 % 4,
        'example.com', 'corp.example.org', 'mail.example.net', 'eu.subsidiary.example.com'))),
    IF(h DIV 160000 % 13 = 0, NULL, ELT(1 + h DIV 160000 % 13, '',
        'Software Engineer', 'Account Executive', 'Product Manager', 'Analyst', 'Director of Operations',
        'Support Specialist', 'Senior Staff Site Reliability Engineer, Platform Infrastructure',
        'Chargée de clientèle', 'Vertriebsleiterin', 'Data Scientist', 'Head of People', 'Intern')),
    IF(v DIV 50 % 17 = 0, NULL, CONCAT('E', LPAD(seq, 8, '0'))),
    v DIV 850 % 10 <> 0,
    FROM_UNIXTIME(1735689600 + (h ^ v) % 31536000)
FROM (SELECT seq, CRC32(CONCAT($seed, ':u:', seq)) AS h, CRC32(CONCAT($seed, ':v:', seq)) AS v
    FROM seq_${from}_to_${to}) AS drawn;
INSERT IGNORE INTO sync_users_groups_rel (user_id, group_id)
SELECT u.seq, 1 + CRC32(CONCAT($seed, ':m:', u.seq, ':', k.seq)) % $groups
FROM seq_${from}_to_${to} u, seq_1_to_$per_user k;
SQL
        if ((big > 0)); then
            cat <<SQL
INSERT IGNORE INTO sync_users_groups_rel (user_id, group_id)
SELECT seq, 2 + seq % 10 FROM seq_${from}_to_${to} WHERE seq % 10 < $big;
SQL
        fi
    done
}
