/*
 * optiscape rooms in the browser: the teacher's room and the students who follow it (webapp/panels/room).
 *
 * Teacher: "Open a room" posts the page's share query to /api/rooms and keeps the teacher token in this
 * tab only (sessionStorage; never in a link or a cookie). Each new share query (roomShared, a clientside
 * callback on share-query) is PUT to the room; the player's play/pause/step (read from #player-bar's
 * data-playing / data-step) are POSTed as commands. Every few seconds the teacher's page reads the room
 * with its token: the follower count, the live answers, and the room kept from going idle.
 *
 * Student: a page at /room/<code> joins the room (an anonymous cookie), then long-polls
 * /api/rooms/<code>/changes. A new state becomes the page's URL query (what the header's "link" edit
 * reads, so it is drawn by the one answer); player commands drive window.optiscapePlayer. Changing
 * anything, or "Explore on my own", branches off (the room is no longer applied); "Rejoin" applies it
 * again. Polls: the choices are buttons; "where does run k end" takes one click on the map.
 *
 * Added to window.dash_clientside.optiscape with Object.assign (never replacing it).
 */
(function () {
  'use strict';

  var API = '/api/rooms';
  var STORAGE = 'optiscape.room';
  var WAIT_S = 20;                    // long poll: the server answers by then (at most 25 s)
  var TEACHER_EVERY_MS = 3000;        // the teacher's read of the room (followers, live answers)
  var RECONCILE_MS = 6000;            // how long a follower keeps its player on the teacher's command
  var PENDING_MS = 5000;              // the longest a room state takes to arrive in the page; after it, a differing query is the student's own
  var R = {
    role: null, code: null, token: null, room: null, version: 0,
    following: true, applied: null, appliedAt: 0, pending: null, shared: null,
    player: null, playerAt: 0, pushing: false, pushAgain: false, lastPoll: '',
    awaitingClick: false, press: null, sentPlayer: null, playerTimer: 0, loop: 0, ended: false
  };

  function el(id) { return document.getElementById(id); }
  function show(id, on) { var e = el(id); if (e) { e.hidden = !on; } }
  function text(id, value) { var e = el(id); if (e) { e.textContent = value; } }
  function nu() { return window.dash_clientside.no_update; }
  function player() { return window.optiscapePlayer; }
  function setProps(id, props) {
    if (window.dash_clientside && window.dash_clientside.set_props) { window.dash_clientside.set_props(id, props); }
  }
  function message(value) { text('room-message', value || ''); }

  function request(method, path, body, timeoutMs) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, timeoutMs || 10000) : 0;
    var headers = {};
    if (body !== undefined) { headers['Content-Type'] = 'application/json'; }
    if (R.role === 'teacher' && R.token) { headers.Authorization = 'Bearer ' + R.token; }
    return fetch(API + path, {method: method, headers: headers, credentials: 'same-origin', cache: 'no-store',
                              body: body === undefined ? undefined : JSON.stringify(body),
                              signal: controller ? controller.signal : undefined})
      .then(function (response) {
        clearTimeout(timer);
        return response.json().catch(function () { return {}; }).then(function (json) {
          return {status: response.status, body: json || {}, retry: Number(response.headers.get('Retry-After')) || 0};
        });
      }, function () { clearTimeout(timer); return {status: 0, body: {error: 'the server could not be reached'}}; });
  }

  // The page's language is each student's own (lang=ko in its link): the room's state is applied with the
  // student's lang, and compared without it.
  function langOf(query) {
    var match = /[?&]lang=([^&]*)/.exec(query || '');
    return match ? match[1] : null;
  }
  function withoutLang(query) {
    var parts = String(query || '').replace(/^\?/, '').split('&').filter(function (part) {
      return part && part.indexOf('lang=') !== 0;
    });
    return '?' + parts.join('&');
  }
  function sameState(a, b) { return a !== null && b !== null && withoutLang(a) === withoutLang(b); }
  function withLang(query, lang) {
    var bare = withoutLang(query);
    return lang ? bare + (bare === '?' ? '' : '&') + 'lang=' + lang : bare;
  }

  function idleText(seconds) {
    var minutes = (seconds || 0) / 60;
    return minutes >= 120 ? 'ends after ' + (minutes / 60) + ' h without activity'
                          : 'ends after ' + Math.round(minutes) + ' min without activity';
  }

  // ------------------------------------------------------------ teacher
  function openRoom() {
    if (R.role) { return; }
    var state = R.shared !== null ? R.shared : window.location.search;
    message('Opening a room\u2026');
    request('POST', '', {state: state}).then(function (r) {
      if (r.status !== 201) { message('Could not open a room: ' + (r.body.error || 'status ' + r.status)); return; }
      message('');
      becomeTeacher(r.body.code, r.body.teacher_token, r.body);
    });
  }

  function becomeTeacher(code, token, room) {
    R.role = 'teacher'; R.code = code; R.token = token; R.ended = false;
    try { window.sessionStorage.setItem(STORAGE, JSON.stringify({code: code, token: token})); } catch (e) { /* private mode */ }
    show('room-bar', true); show('room-teacher', true); show('room-student', false); show('room-open', false);
    var link = el('room-link');
    if (link) { link.value = window.location.origin + '/room/' + code; }
    teacherRoom(room);
    clearInterval(R.loop);
    R.loop = setInterval(teacherRead, TEACHER_EVERY_MS);
    watchPlayer();
    if (R.shared !== null && !sameState(R.shared, room.state)) { pushState(); }
  }

  function teacherRoom(room) {
    R.room = room; R.version = room.version;
    text('room-teacher-summary', 'Room ' + room.code + ' \u00b7 ' + idleText(room.idle_seconds) + ' \u00b7 link:');
    text('room-followers', room.followers + (room.followers === 1 ? ' student following' : ' students following'));
    renderPoll(room.poll);
  }

  function teacherEnded(r) {
    if (r.status === 404 || r.status === 410 || r.status === 403) {
      leave((r.body && r.body.error) || 'The room has ended.');
      return true;
    }
    return false;
  }

  function teacherRead() {
    if (R.role !== 'teacher') { return; }
    request('GET', '/' + R.code).then(function (r) {
      if (r.status === 200) { teacherRoom(r.body); } else { teacherEnded(r); }
    });
  }

  function pushState() {
    if (R.role !== 'teacher' || R.shared === null) { return; }
    if (R.pushing) { R.pushAgain = true; return; }
    R.pushing = true; R.pushAgain = false;
    var state = R.shared;
    request('PUT', '/' + R.code + '/state', {state: state}).then(function (r) {
      R.pushing = false;
      if (r.status === 200) { teacherRoom(r.body); message(''); }
      else if (!teacherEnded(r)) { message('The room did not take this change: ' + (r.body.error || r.status)); }
      if (R.pushAgain && R.shared !== state) { pushState(); }
    });
  }

  function sendPlayer() {
    R.playerTimer = 0;
    var bar = el('player-bar');
    if (R.role !== 'teacher' || !bar) { return; }
    var playing = bar.getAttribute('data-playing') === 'true';
    var step = Number(bar.getAttribute('data-step')) || 0;
    var speed = Number((el('speed-select') || {}).value) || 1;
    var key = [playing, playing ? -1 : step, speed].join(':');
    if (key === R.sentPlayer) { return; }
    R.sentPlayer = key;
    request('POST', '/' + R.code + '/player', {command: playing ? 'play' : 'pause', step: Math.max(0, Math.round(step)),
                                             speed: speed}).then(function (r) {
      if (r.status === 200) { R.version = r.body.version; } else { teacherEnded(r); }
    });
  }

  function watchPlayer() {
    var bar = el('player-bar');
    if (!bar || bar._optiscapeRoom) { return; }
    bar._optiscapeRoom = true;
    new MutationObserver(function () {
      if (R.role === 'teacher' && !R.playerTimer) { R.playerTimer = setTimeout(sendPlayer, 150); }
    }).observe(bar, {attributes: true, attributeFilter: ['data-playing', 'data-step']});
  }

  function teacherPoll(body) {
    request('POST', '/' + R.code + '/polls', body).then(function (r) {
      if (r.status === 201) { message(''); teacherRoom(r.body); }
      else if (!teacherEnded(r)) { message('Could not start the poll: ' + (r.body.error || r.status)); }
    });
  }

  function reveal() {
    if (!R.room || !R.room.poll) { return; }
    request('POST', '/' + R.code + '/polls/' + R.room.poll.id + '/reveal', {}).then(function (r) {
      if (r.status === 200) { teacherRoom(r.body); }
      else if (!teacherEnded(r)) { message('Could not reveal: ' + (r.body.error || r.status)); }
    });
  }

  function closeRoom() {
    if (R.role !== 'teacher') { return; }
    request('POST', '/' + R.code + '/close', {}).then(function (r) {
      if (r.status === 200 || !teacherEnded(r)) { leave('Room ' + R.code + ' is closed; its students keep their last picture.'); }
    });
  }

  function leave(why) {
    clearInterval(R.loop);
    try { window.sessionStorage.removeItem(STORAGE); } catch (e) { /* private mode */ }
    R.role = null; R.token = null; R.room = null; R.ended = true;
    show('room-teacher', false); show('room-poll-card', false); show('room-open', true);
    show('room-bar', true);
    message(why);
  }

  // ------------------------------------------------------------ student
  function roomCode() {
    var match = /^\/room\/([A-Za-z0-9]{4,5})\/?$/.exec(window.location.pathname);
    return match ? match[1].toUpperCase() : null;
  }

  function becomeStudent(code) {
    R.role = 'student'; R.code = code;
    show('room-open', false); show('room-bar', true); show('room-student', true);
    text('room-student-summary', 'Joining room ' + code + '\u2026');
    request('POST', '/' + code + '/join', {}).then(function (r) {
      if (r.status === 200) { studentRoom(r.body); follow(); return; }
      studentStopped(r);
    });
  }

  function studentStopped(r) {
    if (r.status === 429 || r.status === 503 || r.status === 0) {
      text('room-student-summary', 'Room ' + R.code + ': ' + (r.body.error || 'busy') + ' Retrying\u2026');
      setTimeout(function () { if (R.version) { follow(); } else { becomeStudent(R.code); } },
                 Math.max(1000, (r.retry || 2) * 1000));
      return;
    }
    R.ended = true;
    show('room-branch', false); show('room-rejoin', false); show('room-poll-card', false);
    text('room-student-summary', r.status === 410 ? 'The teacher closed room ' + R.code + '. You keep the last picture.'
                                                  : (r.body.error || 'This room is not available.'));
  }

  function follow() {
    if (R.role !== 'student' || R.ended) { return; }
    request('GET', '/' + R.code + '/changes?since=' + R.version + '&wait=' + WAIT_S, undefined, (WAIT_S + 10) * 1000)
      .then(function (r) {
        if (r.status === 200) {
          if (r.body.changed) { studentRoom(r.body); }
          setTimeout(follow, r.body.retry_ms || 0);
          return;
        }
        studentStopped(r);
      });
  }

  function studentSummary() {
    var room = R.room;
    if (!room) { return; }
    var where = 'Room ' + room.code + ' \u00b7 ' + idleText(room.idle_seconds) + ' \u00b7 ';
    text('room-student-summary', where + (R.following ? 'following the teacher' : 'exploring on your own'));
    show('room-branch', R.following); show('room-rejoin', !R.following);
  }

  function studentRoom(room) {
    R.room = room; R.version = room.version;
    studentSummary();
    if (R.following) { applyRoom(); }
    renderPoll(room.poll);
  }

  function applyRoom() {
    var room = R.room;
    if (!room) { return; }
    if (room.state && !sameState(room.state, R.shared)) {
      R.applied = room.state; R.appliedAt = Date.now(); R.pending = room.state;
      var query = withLang(room.state, langOf(R.shared !== null ? R.shared : window.location.search));
      try { window.history.replaceState(window.history.state, '', window.location.pathname + query); } catch (e) { return; }
      window.dispatchEvent(new CustomEvent('_dashprivate_pushstate'));
    } else {
      R.applied = room.state;
    }
    var key = JSON.stringify(room.player);
    if (key !== R.playerKey) { R.playerKey = key; R.player = room.player; R.playerAt = Date.now(); }
    else { R.playerAt = Date.now(); }
  }

  // keeps the follower's player on the teacher's last command while the page (re)loads the runs
  function reconcile() {
    var p = player(), target = R.player;
    if (R.role !== 'student' || !R.following || !p || !target || Date.now() - R.playerAt > RECONCILE_MS) { return; }
    if (!R.room || !sameState(R.shared, R.room.state)) { return; }  // the page is not showing the room's runs yet
    var stats = p.stats();
    if (!stats.steps) { return; }
    var select = el('speed-select');
    if (select && target.speed && Number(select.value) !== target.speed) {
      select.value = String(target.speed);
      select.dispatchEvent(new Event('change', {bubbles: true}));
    }
    if (target.playing) {
      if (!stats.playing) { p.act('pause'); p.seek(target.step); p.act('play'); }
    } else if (stats.playing || stats.step !== Math.min(target.step, stats.steps)) {
      p.act('pause'); p.seek(target.step);
    }
  }

  function branch(why) {
    if (R.role !== 'student' || !R.following) { return; }
    R.following = false;
    studentSummary();
    message(why || '');
  }

  function rejoin() {
    if (R.role !== 'student') { return; }
    R.following = true; message('');
    request('GET', '/' + R.code).then(function (r) {
      if (r.status === 200) { studentRoom(r.body); } else { studentStopped(r); }
    });
  }

  // ------------------------------------------------------------ polls
  function renderPoll(poll) {
    var card = el('room-poll-card');
    if (!card) { return; }
    R.awaitingClick = false;
    if (!poll) { show('room-poll-card', false); pollToServer(null); return; }
    show('room-poll-card', true);
    text('room-poll-question', poll.question);
    var choices = el('room-poll-choices');
    var teacher = R.role === 'teacher';
    var open = !poll.revealed && !poll.answered && !teacher;
    var key = [poll.id, open, poll.kind].join(':');
    if (choices && choices.getAttribute('data-poll') !== key) {
      choices.setAttribute('data-poll', key);
      while (choices.firstChild) { choices.removeChild(choices.firstChild); }
      if (open && poll.kind === 'settles_first') {
        poll.choices.forEach(function (name, i) {
          var button = document.createElement('button');
          button.className = 'button room-choice'; button.type = 'button';
          button.textContent = (i + 1) + '. ' + name;
          button.setAttribute('data-choice', String(i));
          choices.appendChild(button);
        });
      }
    }
    var status;
    if (teacher) {
      status = poll.answers + (poll.answers === 1 ? ' answer' : ' answers') + (poll.revealed ? ' \u00b7 revealed' : ' so far');
      var revealButton = el('room-reveal');
      if (revealButton) { revealButton.disabled = !!poll.revealed; }
    } else if (poll.revealed) {
      status = 'Revealed: ' + poll.answers + (poll.answers === 1 ? ' answer.' : ' answers.');
    } else if (poll.answered) {
      status = 'Your answer is in. Waiting for the teacher to reveal.';
    } else if (poll.kind === 'run_end') {
      status = 'Click on the map where you think run ' + poll.run + ' ends.';
      R.awaitingClick = true;
    } else {
      status = 'Pick one: your answer is anonymous and counts once.';
    }
    text('room-poll-status', status);
    pollToServer(poll.results ? Object.assign({teacher: teacher}, poll) : null);
  }

  function pollToServer(poll) {
    var key = JSON.stringify(poll);
    if (key === R.lastPoll) { return; }
    R.lastPoll = key;
    setProps('room-poll', {data: poll});
  }

  function answer(body) {
    var poll = R.room && R.room.poll;
    if (!poll || R.role !== 'student') { return; }
    R.awaitingClick = false;
    text('room-poll-status', 'Sending your answer\u2026');
    request('POST', '/' + R.code + '/polls/' + poll.id + '/answer', body).then(function (r) {
      if (r.status === 201 || r.status === 409) {
        poll.answered = r.status === 201 || /already answered/.test(r.body.error || '');
        if (r.status === 409 && !poll.answered) { text('room-poll-status', r.body.error); return; }
        renderPoll(poll);
        return;
      }
      text('room-poll-status', 'Your answer was not taken: ' + (r.body.error || r.status));
      if (poll.kind === 'run_end' && r.status === 400) { R.awaitingClick = true; }
    });
  }

  function mapPoint(event, drag) {            // through the one Plotly adapter (assets/player-plotly.js)
    var p = player();
    return p && p.plotly ? p.plotly.pointAt(drag, event.clientX, event.clientY) : null;
  }

  // While a student owes a "where does it end" answer, a click on the map answers the poll (and does
  // not move the start point): the press is taken before Plotly and the player see it.
  window.addEventListener('mousedown', function (event) {
    var drag = R.awaitingClick && event.target && event.target.closest && event.target.closest('#map-graph .nsewdrag');
    if (!drag) { R.press = null; return; }
    event.stopPropagation(); event.preventDefault();
    R.press = {x: event.clientX, y: event.clientY, el: drag};
  }, true);
  window.addEventListener('mouseup', function (event) {
    var press = R.press; R.press = null;
    if (!press || !R.awaitingClick) { return; }
    event.stopPropagation();
    if (Math.abs(event.clientX - press.x) > 6 || Math.abs(event.clientY - press.y) > 6) { return; }
    var point = mapPoint(event, press.el);
    if (point) { answer(point); }
  }, true);

  document.addEventListener('click', function (event) {
    var target = event.target && event.target.closest ? event.target.closest('button') : null;
    if (!target) { return; }
    var id = target.id;
    if (id === 'room-open') { openRoom(); }
    else if (id === 'room-close') { closeRoom(); }
    else if (id === 'room-branch') { branch('You are exploring on your own; the teacher\u2019s changes wait until you rejoin.'); }
    else if (id === 'room-rejoin') { rejoin(); }
    else if (id === 'room-reveal') { reveal(); }
    else if (id === 'room-poll-settles') { teacherPoll({kind: 'settles_first'}); }
    else if (id === 'room-poll-end') { teacherPoll({kind: 'run_end', run: Math.round(Number((el('room-poll-run') || {}).value) || 1)}); }
    else if (target.hasAttribute('data-choice') && target.closest('#room-poll-choices')) {
      answer({choice: Number(target.getAttribute('data-choice'))});
    }
  });

  // ------------------------------------------------------------ start
  function start() {
    if (!el('room-bar')) { setTimeout(start, 100); return; }        // Dash has not rendered the layout yet
    var code = roomCode();
    if (code) { becomeStudent(code); }
    else {
      var saved = null;
      try { saved = JSON.parse(window.sessionStorage.getItem(STORAGE) || 'null'); } catch (e) { saved = null; }
      if (saved && saved.code && saved.token) {
        R.role = 'teacher'; R.code = saved.code; R.token = saved.token;
        request('GET', '/' + saved.code).then(function (r) {
          R.role = null;
          if (r.status === 200 && r.body.teacher) { becomeTeacher(saved.code, saved.token, r.body); }
          else { try { window.sessionStorage.removeItem(STORAGE); } catch (e) { /* private mode */ } }
        });
      }
    }
    setInterval(reconcile, 200);
  }
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }

  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.optiscape = Object.assign(window.dash_clientside.optiscape || {}, {
    // every new share query of the page: the teacher sends it to the room; a follower who changed
    // something itself (not the room's state arriving) is now exploring on its own
    roomShared: function (query) {
      if (typeof query !== 'string') { return nu(); }
      R.shared = query;
      if (R.role === 'teacher') { pushState(); }
      else if (R.role === 'student' && R.pending && sameState(query, R.pending)) {
        R.pending = null;                       // the room's state has arrived in the page
      } else if (R.role === 'student' && R.following && R.room && !sameState(query, R.room.state) &&
                 (!R.pending || Date.now() - R.appliedAt > PENDING_MS)) {
        // not an intermediate query of the room's state being applied (those end when it arrives)
        branch('You changed something, so you are exploring on your own. Rejoin to follow the teacher again.');
      }
      return nu();
    }
  });
  // what the page knows of its room (read by the browser tests and the classroom benchmark)
  window.optiscapeRoom = {stats: function () {
    return {role: R.role, code: R.code, version: R.version, following: R.following,
            followers: R.room ? R.room.followers : null, poll: R.room ? R.room.poll : null};
  }};
})();
