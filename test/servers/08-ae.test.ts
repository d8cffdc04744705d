import { define08Lessons, EPOLL } from './06-09.lessonSuites';
import { defineConformanceSuite } from './conformance';

defineConformanceSuite('08-ae');
defineConformanceSuite('08-ae', { flavour: 'sanitize' });
define08Lessons(EPOLL);
