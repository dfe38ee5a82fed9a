/*
 * The duty officer's screen: reads the publisher's JSON API (the shapes
 * of the commands' --json, canhbao-pub(8)) and follows /api/events,
 * polling instead while that stream is broken.  Text from agencies and
 * feeds only ever goes in as textContent.
 */
'use strict';

const TEXT = {
	vi: {
		title: 'Màn hình trực ban', connecting: 'Đang kết nối…',
		live: 'Trực tiếp', polling: 'Mất luồng sự kiện: cập nhật định kỳ',
		loading: 'Đang tải…', advisories: 'Cảnh báo mới nhất',
		agencies: 'Đơn vị', agency: 'Đơn vị', state: 'Trạng thái',
		last_contact: 'Liên lạc cuối',
		overdue: 'Chưa xác nhận cảnh báo khẩn cấp',
		reports: 'Báo cáo sự cố', feeds: 'Nguồn tin',
		channel: 'Kênh phát', activity: 'Diễn biến',
		online: 'Trực tuyến', silent: 'Im lặng {d}',
		never: 'Chưa từng liên lạc', received: 'Đã nhận',
		acknowledged: 'Đã xác nhận', by: 'Người xác nhận',
		note: 'Ghi chú', not_received: 'Chưa nhận',
		not_acknowledged: 'Chưa xác nhận',
		no_advisories: 'Chưa có cảnh báo nào.',
		no_overdue: 'Mọi đơn vị đã xác nhận các cảnh báo khẩn cấp.',
		no_reports: 'Chưa có báo cáo sự cố.',
		no_feeds: 'Không có nguồn tin nào được cấu hình.',
		no_agencies: 'Chưa đăng ký đơn vị nào.',
		unhandled: 'CHƯA XỬ LÝ', handled: 'Đã xử lý bởi {by}',
		issued: 'Phát lúc {t}', seq: 'số {n}',
		not_even_received: '(chưa nhận)',
		last_success: 'Lần tải tốt cuối', last_error: 'Lỗi gần nhất',
		never_fetched: 'chưa lần nào', items: 'mục',
		key_id: 'Khóa', broadcast: 'Địa chỉ phát', last_seq: 'Số thứ tự',
		in_contact: 'Đơn vị đang liên lạc', uptime: 'Đã chạy',
		subscribers: 'Kết nối trên kênh phát',
		published_since: 'Đã phát từ khi chạy',
		ev_advisory: 'Cảnh báo mới ({s})',
		ev_receipt: '{a} đã nhận {id}',
		ev_acknowledgement: '{a} đã xác nhận {id}',
		ev_report: '{a} gửi báo cáo sự cố',
		ev_presence: '{a} đang liên lạc',
		ev_silent: '{a} im lặng', ev_back: '{a} liên lạc trở lại',
		switch: 'English', critical: 'khẩn cấp', high: 'cao',
		medium: 'trung bình', low: 'thấp', info: 'thông tin',
		s: 'giây', m: 'phút', h: 'giờ', d: 'ngày',
	},
	en: {
		title: 'Duty officer\'s screen', connecting: 'Connecting…',
		live: 'Live', polling: 'Event stream lost: polling',
		loading: 'Loading…', advisories: 'Latest advisories',
		agencies: 'Agencies', agency: 'Agency', state: 'State',
		last_contact: 'Last contact',
		overdue: 'Critical advisories not acknowledged',
		reports: 'Incident reports', feeds: 'Feeds',
		channel: 'Channel', activity: 'Activity',
		online: 'Online', silent: 'Silent for {d}',
		never: 'Never seen', received: 'Received',
		acknowledged: 'Acknowledged', by: 'By', note: 'Note',
		not_received: 'Not received',
		not_acknowledged: 'Not acknowledged',
		no_advisories: 'No advisories yet.',
		no_overdue: 'Every agency has acknowledged the critical advisories.',
		no_reports: 'No incident reports.',
		no_feeds: 'No feeds are configured.',
		no_agencies: 'No agency is registered.',
		unhandled: 'UNHANDLED', handled: 'Handled by {by}',
		issued: 'Sent {t}', seq: 'seq {n}',
		not_even_received: '(not even received)',
		last_success: 'Last success', last_error: 'Last error',
		never_fetched: 'never', items: 'items',
		key_id: 'Key', broadcast: 'Broadcast', last_seq: 'Sequence',
		in_contact: 'Agencies in contact', uptime: 'Uptime',
		subscribers: 'Connections on the broadcast channel',
		published_since: 'Published since start',
		ev_advisory: 'New advisory ({s})',
		ev_receipt: '{a} received {id}',
		ev_acknowledgement: '{a} acknowledged {id}',
		ev_report: '{a} filed an incident report',
		ev_presence: '{a} in contact',
		ev_silent: '{a} went silent', ev_back: '{a} is back',
		switch: 'Tiếng Việt', critical: 'critical', high: 'high',
		medium: 'medium', low: 'low', info: 'info',
		s: 's', m: 'min', h: 'h', d: 'd',
	},
};

const EVENTS = ['advisory', 'receipt', 'acknowledgement', 'report',
	'presence', 'silent', 'back'];
const POLL_MS = 5000;

let lang = pickLanguage();
let skew = 0; /* server clock minus ours, from the Date header */
let agencies = [];
let pollTimer = null;
let refreshTimer = null;
let lastRefresh = 0;
const openAdvisories = new Set();

function pickLanguage() {
	const saved = localStorage.getItem('canhbao-lang');
	if (saved === 'vi' || saved === 'en')
		return saved;
	const first = (navigator.languages && navigator.languages[0]) ||
	    navigator.language || 'vi';
	return first.toLowerCase().startsWith('en') ? 'en' : 'vi';
}

function t(key, args) {
	let s = TEXT[lang][key] || key;
	for (const k in args || {})
		s = s.replace('{' + k + '}', args[k]);
	return s;
}

/* An element with text and classes; children appended. */
function el(tag, cls, text, ...children) {
	const e = document.createElement(tag);
	if (cls)
		e.className = cls;
	if (text !== undefined && text !== null)
		e.textContent = text;
	for (const c of children)
		if (c)
			e.append(c);
	return e;
}

function now() {
	return Date.now() + skew;
}

function when(iso) {
	if (!iso)
		return '–';
	return new Date(iso).toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB',
	    { dateStyle: 'short', timeStyle: 'medium' });
}

function duration(ms) {
	let s = Math.max(0, Math.round(ms / 1000));
	const parts = [[86400, 'd'], [3600, 'h'], [60, 'm'], [1, 's']];
	const out = [];
	for (const [n, u] of parts) {
		if (s >= n || (u === 's' && out.length === 0)) {
			out.push(Math.floor(s / n) + ' ' + t(u));
			s %= n;
		}
		if (out.length === 2)
			break;
	}
	return out.join(' ');
}

async function api(path) {
	const r = await fetch(path, { credentials: 'same-origin',
		cache: 'no-store' });
	const date = r.headers.get('Date');
	if (date)
		skew = new Date(date).getTime() - Date.now();
	if (r.status === 401) {
		location.reload(); /* the server's own page says what to do */
		throw new Error('401');
	}
	if (!r.ok)
		throw new Error(path + ': ' + r.status);
	return r.json();
}

function fill(id, nodes, empty) {
	const box = document.getElementById(id);
	box.replaceChildren(...(nodes.length ? nodes :
	    [el('p', 'empty', t(empty))]));
}

/* --- agencies ------------------------------------------------------------ */

function agencyState(a) {
	if (!a.last_contact)
		return ['never', t('never')];
	if (a.silent)
		return ['silent', t('silent', { d: duration(now() -
			    new Date(a.last_contact).getTime()) })];
	return ['online', t('online')];
}

function renderAgencies() {
	const body = document.querySelector('#agencies tbody');
	const rows = agencies.map(a => {
		const [cls, text] = agencyState(a);
		const tr = el('tr', null, null, el('td', 'name', a.name),
		    el('td', 'state ' + cls, text),
		    el('td', null, when(a.last_contact)));
		tr.dataset.agency = a.name;
		tr.dataset.state = cls;
		return tr;
	});
	if (!rows.length)
		rows.push(el('tr', null, null, el('td', 'empty',
		    t('no_agencies'))));
	body.replaceChildren(...rows);
}

async function loadAgencies() {
	agencies = await api('/api/agencies');
	renderAgencies();
}

/* --- advisories ---------------------------------------------------------- */

function bar(kind, n, total) {
	const fillSpan = el('span');
	fillSpan.style.width = (total ? 100 * n / total : 0) + '%';
	return [el('span', null, t(kind)), el('div', 'bar ' + kind, null,
	    fillSpan), el('span', 'count ' + kind, n + '/' + total)];
}

function receiptRow(r) {
	const tr = el('tr', null, null, el('td', 'name', r.agency),
	    el('td', r.received ? 'done' : 'missing',
		r.received ? when(r.received) : t('not_received')),
	    el('td', r.acknowledged ? 'done' : 'pending',
		r.acknowledged ? when(r.acknowledged) : t('not_acknowledged')),
	    el('td', 'by', r.by || ''), el('td', 'note', r.note || ''));
	tr.dataset.agency = r.agency;
	tr.dataset.received = r.received ? 'yes' : 'no';
	tr.dataset.acknowledged = r.acknowledged ? 'yes' : 'no';
	return tr;
}

async function loadReceipts(details) {
	const id = details.dataset.id;
	const rows = await api('/api/advisories/' + encodeURIComponent(id));
	const head = el('tr', null, null, el('th', null, t('agency')),
	    el('th', null, t('received')), el('th', null, t('acknowledged')),
	    el('th', null, t('by')), el('th', null, t('note')));
	const table = el('table', 'receipts', null, el('thead', null, null,
	    head), el('tbody', null, null, ...rows.map(receiptRow)));
	details.querySelector('.receipts-box').replaceChildren(table);
}

function advisoryBox(a, index) {
	const details = el('details', 'adv');
	details.dataset.id = a.id;
	details.dataset.received = a.received;
	details.dataset.acknowledged = a.acknowledged;
	const summary = el('summary', null, null,
	    el('span', 'sev ' + a.severity, t(a.severity)),
	    el('span', 'adv-title', a.title),
	    el('div', 'adv-meta', a.id + ' · ' + t('seq', { n: a.seq }) +
		' · ' + t('issued', { t: when(a.issued) })),
	    el('div', 'bars', null, ...bar('received', a.received,
		a.registered), ...bar('acknowledged', a.acknowledged,
		a.registered)));
	details.append(summary, el('div', 'receipts-box'));
	/* The latest is open, and whichever the officer opened stays so. */
	if (openAdvisories.has(a.id) || (index === 0 &&
	    !openAdvisories.has('!' + a.id)))
		details.open = true;
	details.addEventListener('toggle', () => {
		if (details.open) {
			openAdvisories.add(a.id);
			openAdvisories.delete('!' + a.id);
			loadReceipts(details).catch(showError);
		} else {
			openAdvisories.delete(a.id);
			openAdvisories.add('!' + a.id);
		}
	});
	return details;
}

async function loadAdvisories() {
	const list = await api('/api/advisories');
	const boxes = list.map(advisoryBox);
	fill('advisories', boxes, 'no_advisories');
	await Promise.all(boxes.filter(b => b.open).map(loadReceipts));
}

/* --- overdue, reports, feeds, channel -------------------------------------- */

async function loadOverdue() {
	const list = await api('/api/overdue?severity=critical');
	fill('overdue', list.map(a => {
		const div = el('div', 'overdue-agency', null,
		    el('strong', 'name', a.agency), el('span', 'adv-meta',
			' · ' + t('last_contact') + ': ' + when(a.last_contact)));
		div.dataset.agency = a.agency;
		for (const adv of a.advisories)
			div.append(el('div', null, adv.title + ' (' + adv.id + ') ' +
			    (adv.received ? '' : t('not_even_received'))));
		return div;
	}), 'no_overdue');
}

function attachmentLink(r, f) {
	const a = el('a', null, f.name + ' (' + f.size + ' B)');
	a.href = '/api/reports/' + [r.agency, String(r.seq), f.name]
	    .map(encodeURIComponent).join('/');
	a.download = f.name;
	return a;
}

async function loadReports() {
	const list = await api('/api/reports');
	fill('reports', list.map(r => {
		const div = el('div', 'report', null,
		    el('span', 'sev ' + r.severity, t(r.severity)),
		    el('strong', null, r.agency + ': ' + r.title),
		    el('div', 'adv-meta', when(r.received) + ' · #' + r.seq),
		    r.details ? el('p', 'details', r.details) : null,
		    r.handled ? el('div', 'done', t('handled',
			{ by: r.handled.by }) + (r.handled.note ? ': ' +
			r.handled.note : '')) :
			el('div', 'unhandled', t('unhandled')));
		div.dataset.agency = r.agency;
		if (r.attachments.length)
			div.append(el('div', null, null,
			    ...r.attachments.map(f => attachmentLink(r, f))));
		return div;
	}), 'no_reports');
}

async function loadFeeds() {
	const list = await api('/api/feeds');
	fill('feeds', list.map(f => el('div', 'feed', null,
	    el('strong', null, f.name), el('span', 'adv-meta', ' ' + f.format),
	    el('div', f.last_error ? 'missing' : 'done',
		t('last_success') + ': ' + (f.last_success ?
		    when(f.last_success) : t('never_fetched')) + ' · ' +
		f.items + ' ' + t('items')),
	    f.last_error ? el('div', 'missing', t('last_error') + ': ' +
		f.last_error) : null)), 'no_feeds');
}

async function loadChannel() {
	const s = await api('/api/status');
	const online = agencies.filter(a => a.last_contact && !a.silent);
	const facts = [['last_seq', s.last_seq], ['in_contact', online.length +
	    '/' + agencies.length],
	    ['subscribers', s.subscribers_connected],
	    ['published_since', s.published],
	    ['uptime', duration(s.uptime * 1000)], ['key_id', s.key_id],
	    ['broadcast', s.broadcast]];
	document.getElementById('channel').replaceChildren(...facts.flatMap(
	    ([k, v]) => [el('dt', null, t(k)), el('dd', k, String(v))]));
}

/* --- live ------------------------------------------------------------------ */

function showError(e) {
	console.error(e);
}

async function refreshAll() {
	await loadAgencies();
	await Promise.all([loadAdvisories(), loadOverdue(), loadReports(),
	    loadFeeds(), loadChannel()]);
}

/* Many events at once (a feed of twenty advisories, a province's
 * agencies acknowledging) refresh once, and at most once a second. */
function refreshSoon() {
	clearTimeout(refreshTimer);
	refreshTimer = setTimeout(() => {
		lastRefresh = Date.now();
		refreshAll().catch(showError);
	}, Math.max(150, lastRefresh + 1000 - Date.now()));
}

function logEvent(name, d) {
	const item = el('li', null, null, el('time', null,
	    new Date(now()).toLocaleTimeString(lang === 'vi' ? 'vi-VN' :
		'en-GB')), document.createTextNode(t('ev_' + name,
		{ a: d.agency || '', id: d.id || '', s: t(d.severity || '') })));
	item.dataset.event = name;
	const list = document.getElementById('activity');
	list.prepend(item);
	while (list.children.length > 50)
		list.lastChild.remove();
}

function setLive(state) {
	const p = document.getElementById('live');
	p.dataset.state = state;
	p.textContent = t(state);
}

function startPolling() {
	if (pollTimer === null)
		pollTimer = setInterval(() => refreshAll().catch(showError),
		    POLL_MS);
}

function stopPolling() {
	clearInterval(pollTimer);
	pollTimer = null;
}

function connect() {
	const es = new EventSource('/api/events');
	es.onopen = () => {
		setLive('live');
		stopPolling();
		refreshSoon(); /* whatever happened while it was down */
	};
	es.onerror = () => {
		setLive('polling');
		startPolling();
		if (es.readyState === EventSource.CLOSED) /* no retry of its own */
			setTimeout(connect, 3 * POLL_MS);
	};
	for (const name of EVENTS)
		es.addEventListener(name, ev => {
			const d = JSON.parse(ev.data);
			logEvent(name, d);
			if (name === 'presence')
				loadAgencies().catch(showError);
			else
				refreshSoon();
		});
}

function applyLanguage() {
	document.documentElement.lang = lang;
	document.title = 'canhbao: ' + t('title');
	for (const e of document.querySelectorAll('[data-t]'))
		e.textContent = t(e.dataset.t);
	document.getElementById('lang').textContent = t('switch');
	document.getElementById('lang').lang = lang === 'vi' ? 'en' : 'vi';
	setLive(document.getElementById('live').dataset.state);
}

function tick() {
	document.getElementById('clock').textContent = new Date(now())
	    .toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB');
	renderAgencies(); /* "silent for" grows */
}

document.addEventListener('DOMContentLoaded', () => {
	applyLanguage();
	document.getElementById('lang').addEventListener('click', () => {
		lang = lang === 'vi' ? 'en' : 'vi';
		localStorage.setItem('canhbao-lang', lang);
		applyLanguage();
		refreshAll().catch(showError);
	});
	refreshAll().catch(showError);
	connect();
	setInterval(tick, 1000);
	/* What changes without an event: "silent" (decided by the server
	 * at each request), a report marked handled, the feeds' health. */
	setInterval(refreshSoon, 60000);
});
