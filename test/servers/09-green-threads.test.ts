import { define09Lessons, EPOLL } from './06-09.lessonSuites';
import { defineConformanceSuite } from './conformance';

defineConformanceSuite('09-green-threads');
defineConformanceSuite('09-green-threads', { flavour: 'sanitize' });
defineConformanceSuite('09-green-threads', { extraArgs: ['--carriers', '1'] });
define09Lessons(EPOLL);
